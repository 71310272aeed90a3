"""Syntax rules (X1xx): broken sentence structure, from patterns and the spaCy parse."""

from __future__ import annotations

import subprocess
import textwrap

import pytest

from mtcheck.config import Config
from mtcheck.engine import Scanner
from mtcheck.reader import read_document
from mtcheck.rules import syntax, syntax_quality
from mtcheck.settings import Settings


def scan(text: str, parse: bool = True, select=("syntax",)):
    scanner = Scanner(Settings(config=Config(select=list(select)), neural=False, parse=parse))
    return scanner.scan_text(text)


def codes(doc) -> list[str]:
    return [f.code for f in doc.findings]


def findings_in(doc, fragment: str) -> list[str]:
    """Codes of the findings inside the sentence that contains ``fragment``."""
    s = next(s for s in doc.sentences if fragment in s.text)
    return [f.code for f in doc.findings if s.start <= f.start < s.end]


# -- the family -----------------------------------------------------------------------------

def test_family_includes_the_quality_rules_and_codes_are_unique():
    codes_ = [r.code for r in syntax.RULES]
    assert len(codes_) == len(set(codes_))
    assert all(c.startswith("X1") for c in codes_[: len(codes_) - len(syntax_quality.RULES)])
    assert set(r.code for r in syntax_quality.RULES) <= set(codes_)
    assert all(r.category == "syntax" for r in syntax.RULES)
    parse_rules = {r.code for r in syntax.RULES if "parse" in r.needs}
    assert {"X101", "X103", "X104", "X105", "X106", "X107", "X108", "X109", "X110", "X111"} <= parse_rules
    assert "X102" not in parse_rules  # the bare negation is a pattern


# -- X102: bare negation (no parse) ---------------------------------------------------------

def test_bare_negation_found_without_the_parse():
    doc = scan("The defense Ministry said that the shelling was 25 wounded Syrian militias. "
               "Russian soldiers in the area of the Syrian province of Deir ez-Zor no.", parse=False)
    assert codes(doc) == ["X102"]
    f = doc.findings[0]
    assert doc.text[f.start:f.end] == f.text == "Russian soldiers in the area of the Syrian province of Deir ez-Zor no."
    assert f.suggestion == "There are no Russian soldiers in the area of the Syrian province of Deir ez-Zor."
    assert not f.safe_fix
    assert "machine-translation" in f.message
    assert "parse" not in doc.user_data


@pytest.mark.parametrize("text", [
    "Asked whether the troops would stay, the minister said no.",
    "The parliament voted no.",
    "The answer to that question was no.",
    "Do the rebels control the city? The spokesman said the answer is simply no.",
    "Russian soldiers in the area no",  # a heading: no final punctuation
    "Why not?",
])
def test_bare_negation_negatives(text):
    assert "X102" not in codes(scan(text, parse=False))


# -- X113: a dash between a quotation and its attribution (no parse) ---------------------------

@pytest.mark.parametrize("text", [
    "“We will fight to the end”, — the commander told reporters.",
    "\"Prices will rise in the spring\" – warned the central bank on Friday.",
])
def test_russian_speech_dash_found_without_the_parse(text):
    doc = scan(text, parse=False)
    assert codes(doc) == ["X113"]
    f = doc.findings[0]
    assert doc.text[f.start:f.end] == f.text and doc.text[f.data["dash_offset"]] in "”\""


@pytest.mark.parametrize("text", [
    "“We will fight to the end,” the commander told reporters.",
    "\"Prices will rise\" - Reuters",  # a credit after a dash
    "The minister said the talks were “over” — a word he chose with care.",  # a quoted word, then an aside
])
def test_speech_dash_negatives(text):
    assert "X113" not in codes(scan(text, parse=False))


def test_bare_negation_lowercases_a_common_first_word():
    doc = scan("The minister met the press on Monday. Casualties among civilians in the city no.", parse=False)
    assert doc.findings[0].suggestion == "There are no casualties among civilians in the city."


# -- parse-based rules ----------------------------------------------------------------------



@pytest.mark.slow
@pytest.mark.usefixtures("spacy_pipeline")
@pytest.mark.parametrize("text, code", [
    ("Police sent special forces to the village. Injuring three commandos.", "X104"),
    ("The army advanced. As the Syrian army and the SDS declare their intention to retake the city from ISIS.", "X104"),
    ("The rebels retreated. While in the military pointed out that the air force continues to strike the militants.", "X104"),
    ("The talks failed. Was decided to send the Russian military police.", "X105"),
    ("“The cause of the incident were inconsistent with the command of the operational group”, said the ministry.", "X103"),
    ("The reports about the air strikes is not true, the ministry said.", "X103"),
    ("Moscow expressed its concern and demanded that the United States full and detailed explanation.", "X106"),
    ("The delegation at the long talks in the capital city of the republic without any result in the end.", "X101"),
])
def test_broken_sentences_are_found(text, code):
    doc = scan(text)
    assert code in codes(doc), [(f.code, f.text) for f in doc.findings]
    for f in doc.findings:
        assert doc.text[f.start:f.end] == f.text
        assert f.category == "syntax"


@pytest.mark.slow
@pytest.mark.usefixtures("spacy_pipeline")
@pytest.mark.parametrize("text", [
    "Police sent special forces to the village, injuring three commandos.",
    "As the Syrian army advanced, the rebels withdrew from the city.",
    "While in Moscow, the minister met his Russian counterpart.",
    "It was decided to send the Russian military police.",
    "The cause of the incidents was not established.",
    "The number of attacks has risen sharply this year.",
    "A number of civilians were killed in the strike.",
    "The government are expected to respond on Monday.",
    "The reports of the attack are not true, the ministry said.",
    "Moscow demanded that the United States provide a full explanation.",
    "Speaking in Moscow on Monday, the minister said the strikes would continue.",
    "Russian Military Contractors Killed in US-Led Attack in Syria",  # a headline
    "“Absolutely not,” he said.",
    "Moscow.",  # a dateline
    "In the Baltic Sea city of Kaliningrad, a local Cossack group also reported losing one of its own.",
    "Reuters reported earlier citing US-backed Syrian militias that Russian warplanes struck their positions.",
])
def test_clean_sentences_are_left_alone(text):
    doc = scan(text)
    assert codes(doc) == [], [(f.code, f.text, f.message) for f in doc.findings]


# -- word order and punctuation carried over from Russian (X105 extended, X107-X111) ----------
# Each rule with sentences of its structure that it must find and the English look-alikes it
# must leave alone (LanguageTool style: the examples are the rule's specification).

_RUSSIAN_STRUCTURE = {
    "X105": [  # subject missing: existential 'there' before a 'that' clause; a subjectless attribution
        "There reported that the talks had failed.",
        "There was announced that the airport would close.",
        "“We will not retreat”, — said in the statement of the ministry.",
        "“The talks are over” — stated in the message of the press service.",
    ],
    "X107": [  # verb before its subject after a fronted date or phrase
        "On Monday was held the first meeting of the new commission.",
        "12 March was signed an agreement on the supply of gas to the region.",
        "For the delay, in the view of the opposition, is the government.",
        "From the north to the village in March were able to enter the government troops.",
    ],
    "X108": [  # one comma between subject and verb, or an aside never closed
        "Ukrainian officials, came under fire near the border on Tuesday.",
        "China, together with India and Brazil in the coming years is planning to expand trade.",
        "The Ukrainian army, with the support of volunteers from the region managed to retake the airport.",
    ],
    "X109": [  # comma before the 'that' clause of a verb or adjective
        "The minister is confident, that the talks will succeed next week.",
        "The ministry stressed, that the strikes were aimed only at militants.",
    ],
    "X110": [  # present perfect with a finished past time
        "On 3 March, the company has announced a new chief executive.",
        "The minister has resigned yesterday after the vote in parliament.",
        "The bank has cut its rates two weeks ago.",
    ],
    "X111": [  # 'not' before a past verb with an object, no auxiliary
        "Local officials not informed the residents about the danger.",
        "The rebels not coordinated their attack with the army.",
    ],
    "X112": [  # a bare noun phrase after a noun, where English needs 'of' or 'by'
        "The police failed to prevent a violent attack local gangs on the market.",
        "The court heard the case of a former officer Ukrainian police.",
        "The army shelled the rebels one of the bases of the group in the north.",  # 'one of' set bare
        "Talks were held in the villages of Ivanovka, Petrovka and Sosnovka the district of Kursk.",  # a 'the' phrase after a name
    ],
    "X101": [  # no main verb: the only verb is in a relative clause set off by a comma
        "Villages on the west bank of the river held by the rebels, with whom there is a group of foreign advisers.",
    ],
    "X114": [  # a sentence or a quoted phrase that stops on an article, conjunction or 'of'
        "The government raised the tax on fuel and the.",
        "The minister called the bridge “the main symbol of” the city and promised to repair it.",
    ],
    "X115": [  # a preposition from Russian case government
        "The prosecutor accused the mayor in bribery and abuse of office.",
        "The price of the crop depends from the weather in the spring.",
        "The president congratulated the team with the victory in the final.",
    ],
}
_RUSSIAN_STRUCTURE["X105"] += [  # a 'that' clause after a verb of saying that lost its subject
    "The agency reported that conducts a survey of the damage in the region.",
    "The ministry noted that was in contact with the rebels.",
    # the Russian indefinite-personal attribution to an institution
    "The bridge will reopen in May, as stated in the regional ministry of transport.",
]
_RUSSIAN_STRUCTURE["X107"] += [
    # the Russian inverted attribution with a verb whose object is the addressee or source
    "The talks will resume next week in Geneva, informs the agency Interfax with reference to a diplomatic source.",
    # the Russian impersonal passive split around its subject
    "The explosion was 12 injured local residents.",
]

_ENGLISH_LOOKALIKES = [
    "There is evidence that the talks failed.",
    "There seems to be no way out of the crisis.",
    "“We will not retreat,” said the minister.",
    "“The Road,” published in 2006, won the Pulitzer Prize.",
    "Among the dead were two children and a woman.",  # English inversion after a place
    "In the corner stood a lamp.",
    "From the hills came the sound of gunfire.",
    "Of particular concern is the state of the bridge.",
    "On Monday the first meeting of the commission was held.",
    "The winner was given the award on Monday.",  # a passive that keeps its second object
    "The spokesman, Igor Konashenkov, said the strikes would continue.",  # a closed appositive
    "Russia, along with Iran and Turkey, is trying to establish a zone.",  # a closed aside
    "The company, which was founded in 1990, said it would cut jobs.",
    "Officials, however, said the talks would continue.",
    "John Terry, fired earlier from Spartak, led the young Chelsea team.",  # a reduced relative
    "Sergei, is the season not over for you yet?",  # an address
    "The result, many fear, is more bloodshed.",
    "The talks failed, given that neither side would compromise.",
    "He stayed home, so that he could rest.",
    "The police said that the suspect had fled.",
    "On 3 March, the company announced a new chief executive.",
    "The company has announced a new chief executive.",
    "The company has grown every year since 2010.",
    "He had said on Monday that the plant would close.",
    "She did not coordinate her plan with the allies.",
    "The plan, not coordinated with the allies, failed.",
    "Players not given the chance to speak left the room.",
    "Not surprisingly, the vote failed.",
    "Consider these clusters red flags, not proof of deception.",  # an object and its complement
    "She has been in charge of the archive room her entire life.",  # a time
    "Hit by a storm, the town has lost power",  # a headline whose participle phrase is closed off
    "Backed by Russia, Assad retakes Aleppo",
    "If a princess says that...",  # trailing off on purpose
    "Police detained the increasingly",  # a line cut off: the boilerplate family's B107
    "He wrote the letter “a” on the board.",  # a quoted word, not a quoted phrase
    "The ministry rated the plan very highly.",
    "The talks will resume next week in Geneva, says the agency.",  # English inverts 'says'
    "He walks into the room, tells reporters he is optimistic and leaves.",  # verbs sharing a subject
    "The toll was 25 wounded civilians.",  # a count noun as subject
    "The junta considers protecting the monarchy one of its main priorities.",  # object and complement
    "The commission declared Mr Palmer the winner of the seat.",
    "She gave the children one of her books.",  # two objects
    "Screenshot of the site that accepts orders for weapons.",  # a caption: a restrictive relative
    "Global warming or an encounter with a killer asteroid.",  # a list of noun phrases
    "Meanwhile, the former reporter in charge of the newsroom in the absence of the editor.",  # a connective opening
    "If I lose, likewise.",  # an elliptical 'if' clause
    "Because in their opinion the reform of the constitution is done through other articles.",
    "He said that was a mistake.",  # demonstrative 'that' as subject
    "As stated in the report, the bridge will reopen in May.",  # a document, not an institution
    "The document states that banned materials fall under two categories.",
    "The prosecutor accused the mayor in a statement on Monday of taking bribes.",  # the charge has its 'of'
    "He arrived to cheers from the crowd.",
    "The players complained on Monday about the state of the pitch.",  # a date
    "Those steps look increasingly like part of efforts to create a quasi-state.",
]


@pytest.mark.slow
@pytest.mark.usefixtures("spacy_pipeline")
@pytest.mark.parametrize("code, text", [(c, t) for c, texts in _RUSSIAN_STRUCTURE.items() for t in texts])
def test_russian_structure_is_found(code, text):
    doc = scan(text)
    assert codes(doc) == [code], [(f.code, f.message) for f in doc.findings]
    (f,) = doc.findings
    assert doc.text[f.start:f.end] == f.text and "machine-translation" in f.message


@pytest.mark.slow
@pytest.mark.usefixtures("spacy_pipeline")
@pytest.mark.parametrize("text", _ENGLISH_LOOKALIKES)
def test_english_lookalikes_are_left_alone(text):
    doc = scan(text)
    assert codes(doc) == [], [(f.code, f.message) for f in doc.findings]


@pytest.mark.slow
@pytest.mark.usefixtures("spacy_pipeline")
def test_headline_with_a_participle_opener_and_no_subject():
    doc = scan("Backed by the army of the north have retaken the city the rebels")
    assert doc.sentences[0].kind != "body"
    assert codes(doc) == ["X105"]
    assert doc.findings[0].data["kind"] == "participle-opener"


@pytest.mark.slow
@pytest.mark.usefixtures("spacy_pipeline")
def test_a_headline_printed_twice_is_judged_once():
    doc = scan("Backed by the army of the north have retaken the city the rebels\n\n"
               "Backed by the army of the north have retaken the city the rebels\n\nThe town is quiet.")
    assert codes(doc) == ["X105"]


# The three sentences issue 16 names as the neural scorer's misses (tests/test_quality.py
# KNOWN_MISSES): the structural rules find each on its own, out of its story.
@pytest.mark.slow
@pytest.mark.usefixtures("spacy_pipeline")
@pytest.mark.parametrize("sentence, code", [
    ("Syrian militias, came under attack in the American coalition, not coordinated their operation with the "
     "Russian military, said the defense Ministry.", "X111"),
    ("15 September was held the sixth round of negotiations, which failed to agree on the boundaries of all four "
     "zones, where you must sign a ceasefire.", "X107"),
    ("Moscow is responsible, that pre-warns US about the impending attacks, which are directed only against ISIL.", "X109"),
])
def test_the_neural_scorers_named_misses_are_found_by_structure(sentence, code):
    assert codes(scan(sentence)) == [code]


def test_syntax_word_lists_load_and_are_lower_case():
    lists = syntax.syntax_words()
    assert "among" in lists["inversion_prepositions"] and "for" not in lists["inversion_prepositions"]
    assert "september" in lists["calendar_words"] and "given" in lists["double_object_participles"]
    assert all(w == w.lower() for ws in lists.values() for w in ws)


@pytest.mark.slow
@pytest.mark.usefixtures("spacy_pipeline")
def test_quotes_are_judged_leniently():
    # A reported fragment is speech; the same words outside quotes are damage.
    assert "X104" not in codes(scan("“While the troops retreated from the city of the north.”"))
    assert "X104" in codes(scan("While the troops retreated from the city of the north."))


@pytest.mark.slow
@pytest.mark.usefixtures("spacy_pipeline")
def test_elliptical_conjunctions_are_english_style():
    # 'If', 'Because', 'As if' clauses stand alone in English on purpose (answers, afterthoughts);
    # the temporal ones ('While', 'As', 'After') left alone are the split of a Russian sentence.
    assert "X104" not in codes(scan("As if they cared about the people of the city."))
    assert "X104" not in codes(scan("Because the troops retreated from the city of the north."))
    assert "X104" in codes(scan("As the troops retreated from the city of the north."))


@pytest.mark.slow
@pytest.mark.usefixtures("spacy_pipeline")
def test_one_structural_finding_per_sentence():
    doc = scan("The talks failed. Injuring three commandos.")
    assert codes(doc) == ["X104"]  # not also X101 (no finite verb)
    doc = Scanner(Settings(config=Config(select=["X101"]), neural=False, parse=True)).scan_text(
        "The talks failed in the end. Injuring three commandos of the special forces in the city.")
    assert codes(doc) == ["X101"]  # with X104 off, the no-verb rule reports it


@pytest.mark.slow
@pytest.mark.usefixtures("spacy_pipeline")
def test_agreement_suggestion_swaps_the_verb_form():
    doc = scan("The cause of the incident were not established by the commission.")
    (f,) = doc.findings
    assert (f.code, f.text, f.suggestion, f.safe_fix) == ("X103", "were", "was", False)
    assert f.data["subject"] == "cause"


@pytest.mark.slow
@pytest.mark.usefixtures("spacy_pipeline")
def test_fair_tass_text_has_no_syntax_findings_on_body_sentences(seeds_dir):
    doc = read_document(str(seeds_dir / "001_6dfbf46b29b8d6d9.txt"))
    Scanner(Settings(config=Config(select=["syntax"]), neural=False, parse=True)).pipeline.run([doc])
    body = [s for s in doc.body_sentences()]
    assert len(body) >= 6
    hits = [(f.code, f.text) for f in doc.findings if any(s.start <= f.start < s.end for s in body)]
    assert hits == []


@pytest.mark.slow
@pytest.mark.usefixtures("spacy_pipeline")
@pytest.mark.parametrize("seed, fragment, expected", [
    ("000_b789fdac0961f31d.txt", "Russian soldiers in the area of the Syrian province of Deir ez-Zor no.", "X102"),
    ("000_b789fdac0961f31d.txt", "The cause of the incident were inconsistent", "X103"),
    ("002_4226bccabad467d5.txt", "Was decided to send the Russian military police.", "X105"),
    ("002_4226bccabad467d5.txt", "Injuring three commandos.", "X104"),
    ("002_4226bccabad467d5.txt", "As the Syrian army and the SDS declare their intention", "X104"),
    ("003_ffa3510338295b69.txt", "While in the military pointed out", "X104"),
    ("003_ffa3510338295b69.txt", "demanded that the United States full and detailed explanation", "X106"),
    ("002_4226bccabad467d5.txt", "15 September was held the sixth round", "X107"),
    ("002_4226bccabad467d5.txt", "For this attack, according to Moscow", "X107"),
    ("002_4226bccabad467d5.txt", "From the West to the city in September were able", "X107"),
    ("002_4226bccabad467d5.txt", "Russia, along with Iran and Turkey in may of 2017", "X108"),
    ("000_b789fdac0961f31d.txt", "The American media, with reference to the representative", "X108"),
    ("000_b789fdac0961f31d.txt", "Syrian militias, came under attack in the American coalition, not coordinated", "X111"),
    ("002_4226bccabad467d5.txt", "Moscow is responsible, that pre-warns US", "X109"),
    ("002_4226bccabad467d5.txt", "On September 21, the defense Ministry has noticed", "X110"),
    ("003_ffa3510338295b69.txt", "There stated that the task", "X105"),
    ("003_ffa3510338295b69.txt", "— said in a statement, quoted by", "X105"),
    ("000_b789fdac0961f31d.txt", "— stated in the message", "X105"),
    ("002_4226bccabad467d5.txt", "The Russian defense Ministry calls the Deir ez-Zor", "X114"),
    ("003_ffa3510338295b69.txt", "informs the Agency", "X107"),
    ("000_b789fdac0961f31d.txt", "the shelling was 25 wounded Syrian militias", "X107"),
    ("000_b789fdac0961f31d.txt", "shelled the militants one of the sleeper cells", "X112"),
    ("000_b789fdac0961f31d.txt", "Ham the province of Deir ez-Zor", "X112"),
    ("002_4226bccabad467d5.txt", "Russian and Syrian troops terrorists", "X112"),
    ("002_4226bccabad467d5.txt", "with whom there is a United States special forces", "X101"),
    ("003_ffa3510338295b69.txt", "pointed out that was really in touch", "X105"),
    ("002_4226bccabad467d5.txt", "accused the United States in the transfer", "X115"),
    ("002_4226bccabad467d5.txt", "as stated in the defense Ministry", "X105"),
])
def test_broken_seed_sentences_are_found(seeds_dir, seed, fragment, expected):
    doc = read_document(str(seeds_dir / seed))
    Scanner(Settings(config=Config(select=["syntax"]), neural=False, parse=True)).pipeline.run([doc])
    assert expected in findings_in(doc, fragment)


@pytest.mark.slow
@pytest.mark.usefixtures("spacy_pipeline")
def test_parse_is_attached_once_per_document():
    from mtcheck.neural.parse import attach_parse, document_parse

    doc = scan("The talks failed. Injuring three commandos.")
    parses = doc.user_data["parse"]
    assert set(parses) == {s.index for s in doc.sentences}
    assert [t.text for t in parses[1]][:1] == ["Injuring"]
    attach_parse([doc])
    assert document_parse(doc) is parses  # not parsed again


def test_parse_rules_do_not_run_without_the_parse_resource():
    doc = scan("The talks failed. Was decided to send the Russian military police.", parse=False)
    assert codes(doc) == []
    assert "parse" not in doc.user_data


@pytest.mark.slow
def test_spacy_import_keeps_torch_out_and_torch_still_works(python):
    """In a fresh process: spaCy and the pipeline come up without importing torch, and torch
    imports and computes afterwards in the same process."""
    code = textwrap.dedent("""
        import sys, time
        from mtcheck.neural import parse
        t = time.perf_counter()
        nlp = parse.load_pipeline()
        loaded = time.perf_counter() - t
        assert "torch" not in sys.modules, "spaCy pulled torch in"
        doc = nlp("Was decided to send the Russian military police.")
        assert [t.dep_ for t in doc][:2] == ["auxpass", "ROOT"], [t.dep_ for t in doc]
        import torch
        assert float(torch.ones(3).sum()) == 3.0
        assert nlp("The army advanced.")[1].tag_ == "NN"
        print(f"ok {loaded:.2f}")
    """)
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.startswith("ok")


@pytest.mark.slow
def test_spacy_imported_normally_when_torch_is_already_loaded(python):
    code = textwrap.dedent("""
        import torch
        from mtcheck.neural import parse
        nlp = parse.load_pipeline()
        import thinc.compat
        assert thinc.compat.has_torch
        print(nlp("Injuring three commandos.")[0].tag_)
    """)
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "VBG"
