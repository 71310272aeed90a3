"""Write tests/data/wire/: each seed story (seeds/*.txt) in every wire format mtcheck reads.

The first paragraph of a seed is its headline, the others its body paragraphs (a line break
inside a paragraph becomes <br/> in markup formats). Run from the checkout:
    .venv/bin/python scripts/make_wire_fixtures.py
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "wire"


def paragraphs(text: str) -> list[list[str]]:
    out, cur = [], []
    for line in text.splitlines():
        if line.strip():
            cur.append(line.strip())
        elif cur:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


def html_paras(paras, indent="      ") -> str:
    return "\n".join(f"{indent}<p>{'<br/>'.join(escape(x, quote=False) for x in p)}</p>" for p in paras)


def ninjs3(stem, head, body) -> str:
    return json.dumps({
        "uri": f"urn:mtcheck:test:{stem}", "type": "text", "versionCreated": "2018-02-14T10:00:00Z",
        "language": "en", "headlines": [{"role": "main", "value": " ".join(head)}],
        "bodies": [{"role": "main", "contentType": "text/plain", "value": "\n\n".join("\n".join(p) for p in body)},
                   {"role": "main", "contentType": "text/html", "value": "".join(f"<p>{escape(' '.join(p))}</p>" for p in body)}],
    }, ensure_ascii=False, indent=2) + "\n"


def ninjs2(stem, head, body) -> str:
    return json.dumps({
        "uri": f"urn:mtcheck:test:{stem}", "type": "text", "versioncreated": "2018-02-14T10:00:00Z",
        "language": "en", "headlines": [{"role": "main", "value": " ".join(head)}],
        "bodies": [{"role": "main", "contenttype": "text/html",
                    "value": "".join(f"<p>{'<br>'.join(escape(x) for x in p)}</p>" for p in body)}],
    }, ensure_ascii=True, indent=1) + "\n"


def nitf_body(head, body, indent="") -> str:
    return (f"{indent}<body>\n{indent}  <body.head>\n{indent}    <hedline><hl1>{escape(' '.join(head), quote=False)}</hl1></hedline>\n"
            f"{indent}  </body.head>\n{indent}  <body.content>\n{html_paras(body, indent + '    ')}\n{indent}  </body.content>\n{indent}</body>")


def nitf(stem, head, body) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<nitf xmlns="http://iptc.org/std/NITF/2006-10-18/">\n'
            f'  <head><docdata><doc-id id-string="{stem}"/></docdata></head>\n{nitf_body(head, body, "  ")}\n</nitf>\n')


def newsml(stem, head, body) -> str:
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:mtcheck:test:{stem}" version="1"
    standard="NewsML-G2" standardversion="2.29" conformance="power" xml:lang="en">
  <catalogRef href="http://www.iptc.org/std/catalog/catalog.IPTC-G2-Standards_36.xml"/>
  <itemMeta>
    <itemClass qcode="ninat:text"/>
    <provider literal="mtcheck-test"/>
    <versionCreated>2018-02-14T10:00:00Z</versionCreated>
    <pubStatus qcode="stat:usable"/>
  </itemMeta>
  <contentMeta>
    <headline>{escape(" ".join(head), quote=False)}</headline>
  </contentMeta>
  <contentSet>
    <inlineXML contenttype="application/nitf+xml">
      <nitf xmlns="http://iptc.org/std/NITF/2006-10-18/">
{nitf_body(head, body, "        ")}
      </nitf>
    </inlineXML>
  </contentSet>
</newsItem>
'''


def rss(stem, head, body) -> str:
    desc = escape("".join(f"<p>{'<br>'.join(escape(x) for x in p)}</p>" for p in body), quote=False)
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>mtcheck test feed</title>
    <link>http://example.com/</link>
    <description>Seed stories</description>
    <item>
      <title>{escape(" ".join(head), quote=False)}</title>
      <guid>urn:mtcheck:test:{stem}</guid>
      <description>{desc}</description>
    </item>
  </channel>
</rss>
'''


def atom(stem, head, body) -> str:
    content = "".join(f"<p>{'<br>'.join(escape(x) for x in p)}</p>" for p in body)
    return f'''<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>mtcheck test feed</title>
  <id>urn:mtcheck:test:feed</id>
  <updated>2018-02-14T10:00:00Z</updated>
  <entry>
    <title>{escape(" ".join(head), quote=False)}</title>
    <id>urn:mtcheck:test:{stem}</id>
    <updated>2018-02-14T10:00:00Z</updated>
    <content type="html"><![CDATA[{content}]]></content>
  </entry>
</feed>
'''


def page(stem, head, body) -> str:
    # Page furniture the extractor drops: a consent banner just before the article, a comment
    # prompt inside it and a teaser just after it are in the story area (reported as
    # boilerplate, B101/B102/B104); the site's navigation and footer are not.
    return f'''<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{escape(" ".join(head))} | World News</title></head>
<body>
  <nav><a href="/">Home</a> <a href="/world">World</a> <a href="/politics">Politics</a></nav>
  <div class="cookies">We use cookies to improve your experience on our site. Accept all cookies</div>
  <article>
    <h1>{escape(" ".join(head))}</h1>
{html_paras(body, "    ")}
    <div class="comments"><a href="#respond">Leave a comment</a></div>
  </article>
  <aside>More news: <a href="/other">Other stories from the region</a></aside>
  <footer><div class="share">Share this story</div> <p>World News. Contact us</p></footer>
</body>
</html>
'''


FORMATS = {"ninjs3.json": ninjs3, "ninjs2.json": ninjs2, "nitf.xml": nitf, "newsml.xml": newsml,
           "rss.xml": rss, "atom.xml": atom, "page.html": page}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        paras = paragraphs(seed.read_text(encoding="utf-8"))
        # A headline is one line: a first paragraph of several lines (a dateline and byline
        # printed above the title) gives its first line as the headline, the rest as a paragraph.
        head, body = paras[0][:1], ([paras[0][1:]] if len(paras[0]) > 1 else []) + paras[1:]
        for suffix, make in FORMATS.items():
            (OUT / f"{seed.stem}.{suffix}").write_text(make(seed.stem, head, body), encoding="utf-8")
    print(f"wrote {len(FORMATS)} formats x {len(list((ROOT / 'seeds').glob('*.txt')))} seeds to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
