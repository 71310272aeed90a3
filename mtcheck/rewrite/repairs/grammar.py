"""Grammar the MT system got wrong word by word: agreement, the future in a condition, "which"
for a person, "can not".

These are the damage classes phrase-based Russian->English MT (WMT15 daseg) shows and a
mechanical edit undoes: the verb agrees with the last word the system translated, not with the
subject ("My second passion were animals"); Russian puts the future in a condition ("если
государство будет продолжать" -> "If the state will continue"), English the present; Russian
"который" is "which" for a thing and "who" for a person, and MT writes "which" for both
("one doctor, which makes ..."); "не может" comes out as "can not". Each abstains unless the
parse shows the pattern plainly: a noun-phrase subject whose head is right before the verb, an
adverbial clause with its own subject, a noun for people (``mtcheck/data/repairs.toml``).

Measured against human versions with ``scripts/eval_repairs.py`` (dev and held-out halves of
daseg-ru-en-2015 and MLQE-PE pe.dev); on MLQE-PE's neural MT they fire on next to nothing.
"""

from __future__ import annotations

from mtcheck.findings import Edit
from mtcheck.rewrite.repairs.base import Context, Transform
from mtcheck.rewrite.repairs.data import word_list

_TO_SINGULAR = {"have": "has", "are": "is", "were": "was"}
_TO_PLURAL = {v: k for k, v in _TO_SINGULAR.items()}
# Quantifiers that make a noun phrase's number a matter of meaning ("each of", "all the").
_QUANTIFIERS = ("each", "every", "one", "all", "some", "both", "many", "several", "few", "any", "no",
                "none", "more", "most")


def _keep_case(old: str, new: str) -> str:
    return new.capitalize() if old[:1].isupper() else new


def _subject_number(subject) -> str | None:
    """"singular" or "plural" for a plain noun-phrase subject ("my second passion", "the
    second-hand textbooks"); None where its number is not the noun's own (collective nouns,
    quantities, coordination, names, abbreviations)."""
    if subject.pos_ != "NOUN" or not subject.is_alpha or not subject.text.islower():
        return None
    if subject.lower_ in word_list("number_neutral_nouns"):
        return None
    if any(t.dep_ in ("conj", "cc", "nummod", "appos") or t.lower_ in _QUANTIFIERS or t.text in (",", "/", "(", ";")
           or t.tag_ in ("VBG", "WP$", "WDT", "WP") or any(ch.isdigit() for ch in t.text) for t in subject.subtree):
        return None  # "renting textbooks is": the gerund is the subject; "whose entry ...": a
        # relative; "13-17 degrees is expected": an amount, singular in meaning
    if not any(c.dep_ in ("det", "poss", "amod", "compound") and c.i < subject.i for c in subject.children):
        return None  # a bare noun is as often a mis-tagged verb or adjective as a subject
    if subject.tag_ == "NN":
        # "the audits" tagged NN: an "-s" the tagger did not read as a plural is unsure either way
        return None if subject.lower_.endswith("s") and not subject.lower_.endswith(("ss", "us", "is")) else "singular"
    # Only the regular plural: "-ss", "-us", "-is", "-ies" words are singulars the tagger misreads.
    if subject.tag_ == "NNS" and subject.lower_.endswith("s") and not subject.lower_.endswith(("ss", "us", "is", "ies")):
        return "plural"
    return None


def subject_verb_agreement(ctx: Context) -> str | None:
    doc = ctx.doc
    if ctx.text.rstrip().endswith("?"):
        return None  # a question inverts: the noun before the verb is not its subject
    edits = []
    for verb in doc:
        low = verb.lower_
        if (low not in _TO_SINGULAR and low not in _TO_PLURAL) or verb.tag_ not in ("VBP", "VBZ", "VBD"):
            continue
        head = verb.head if verb.dep_ in ("aux", "auxpass") else verb
        subjects = [c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")]
        if len(subjects) != 1 or subjects[0].i + 1 != verb.i or max(t.i for t in subjects[0].subtree) + 1 != verb.i:
            continue  # the verb right after its subject's head noun: "a generation of students
            # are" may agree with the meaning, as English allows; "textbooks is" does not
        if any(c.dep_ == "expl" or (c.dep_ == "mark" and c.lower_ in ("if", "though", "whether")) for c in head.children):
            continue  # "if it were": a subjunctive; "there are": agrees with what follows
        number = _subject_number(subjects[0])
        if number == "singular" and low in _TO_SINGULAR:
            new = _TO_SINGULAR[low]
        elif number == "plural" and low in _TO_PLURAL:
            new = _TO_PLURAL[low]
        else:
            continue
        edits.append(Edit(verb.idx, verb.idx + len(verb.text), _keep_case(verb.text, new)))
    return ctx.edit(edits) if edits else None


_CONDITION_MARKS = {"if", "when", "unless", "until", "once", "before", "after", "whenever"}
_SINGULAR_PRONOUNS = {"he", "she", "it", "this", "that", "one", "everyone", "someone", "nobody", "everybody", "somebody"}
_PLURAL_PRONOUNS = {"you", "we", "they", "these", "those"}


def third_person(verb: str) -> str:
    """The present third-person singular of a base-form verb ("continue" -> "continues")."""
    irregular = {"have": "has", "be": "is", "do": "does", "go": "goes"}
    if verb in irregular:
        return irregular[verb]
    if verb.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if verb.endswith("y") and len(verb) > 1 and verb[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def _person(subject) -> str | None:
    low = subject.lower_
    if low == "i":
        return "first"
    if low in _SINGULAR_PRONOUNS:
        return "third"
    if low in _PLURAL_PRONOUNS:
        return "plural"
    if subject.pos_ in ("NOUN", "PROPN") and not any(c.dep_ in ("conj", "nummod") for c in subject.children):
        if subject.tag_ in ("NN", "NNP"):
            return "third"
        if subject.tag_ in ("NNS", "NNPS"):
            return "plural"
    return None


def future_in_condition(ctx: Context) -> str | None:
    doc = ctx.doc
    edits = []
    for will in doc:
        if will.lower_ != "will" or will.dep_ != "aux":
            continue
        verb = will.head
        passive = will.i + 1 < len(doc) and doc[will.i + 1].lower_ == "be" and doc[will.i + 1].head == verb
        until = will.i + 2  # "will V" becomes "Vs"; "will be forced": "will be" becomes "are"
        if not passive and (verb.tag_ != "VB" or verb.i != will.i + 1 or not verb.text.islower()):
            continue  # only "will V" and "will be V-ed": "will not", "will also" are left alone
        if passive and (verb.tag_ != "VBN" or verb.i != will.i + 2):
            continue
        # The conjunction: a "mark", or "when" the parse calls an adverb of the clause.
        marks = [c for c in verb.children if c.dep_ == "mark" or (c.dep_ == "advmod" and c.tag_ == "WRB")]
        if len(marks) != 1 or marks[0].lower_ not in _CONDITION_MARKS or verb.dep_ != "advcl":
            continue  # an adverbial clause only: "I wonder if it will rain" asks about the future
        if marks[0].dep_ == "advmod" and verb.i > verb.head.i:
            continue  # "knows when the talks will resume" (the parse may call it adverbial): fronted only
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        if len(subjects) != 1 or not marks[0].i < subjects[0].i < will.i:
            continue
        before = doc[marks[0].i - 1].lower_ if marks[0].i > 0 else None
        if before not in (None, ",", "and", "but", "then", "so"):
            continue  # a clause that opens the sentence or follows a comma: "the question is
            # not if this will happen" is a noun clause, whatever the parse says
        person = _person(subjects[0])
        if person is None:
            continue
        if passive or verb.lower_ == "be":
            new = {"first": "am", "third": "is", "plural": "are"}[person]
        else:
            new = third_person(verb.lower_) if person == "third" else verb.lower_
        last = doc[until - 1]
        edits.append(Edit(will.idx, last.idx + len(last.text), new))
    return ctx.edit(edits) if edits else None


def which_for_person(ctx: Context) -> str | None:
    doc = ctx.doc
    edits = []
    people = word_list("person_nouns")
    for which in doc:
        if which.lower_ != "which" or which.dep_ not in ("nsubj", "nsubjpass"):
            continue  # "whom" for an object is a register choice: only the subject is repaired
        clause = which.head
        if clause.dep_ != "relcl" or which.i == 0 or doc[which.i - 1].text != ",":
            continue
        antecedent = clause.head
        if antecedent.i != which.i - 2 or antecedent.dep_ in ("pobj", "conj", "compound"):
            continue  # the noun right before the comma, and not one inside a phrase ("the number
            # of people, which"; "a conflict between the suspect and a resident, which")
        # A noun for people only: a name may be a company's or a town's (the parse has no
        # entity types).
        if antecedent.pos_ != "NOUN" or antecedent.lower_ not in people:
            continue
        if clause.lower_ in word_list("sentential_relative_verbs") or any(
                c.lower_ in ("why", "what", "how") for c in clause.children):
            continue  # "disperse the students, which led to ...": "which" stands for the event
        edits.append(Edit(which.idx, which.idx + len(which.text), _keep_case(which.text, "who")))
    return ctx.edit(edits) if edits else None


def can_not(ctx: Context) -> str | None:
    """"не может" comes out as "can not": English writes "cannot" (the negation kept), except in
    "can not only ... but also", where "not" belongs to "only"."""
    doc = ctx.doc
    edits = []
    for can in doc[:-2]:
        nxt, after = doc[can.i + 1], doc[can.i + 2]
        if can.lower_ != "can" or nxt.lower_ != "not" or can.tag_ != "MD" or nxt.dep_ != "neg":
            continue
        if after.lower_ in ("only", "just", "merely", "simply", "but", "always", "necessarily"):
            continue
        edits.append(Edit(can.idx, nxt.idx + len(nxt.text), _keep_case(can.text, "cannot")))
    return ctx.edit(edits) if edits else None


TRANSFORMS = (
    Transform(
        name="can-not",
        description="'can not' for 'cannot' (Russian 'не может', word by word).",
        apply=can_not,
        examples=(
            ("He had several operations, he can walk, but can not do sports.",
             "He had several operations, he can walk, but cannot do sports."),
            ("Rescuers can not yet reach the region.", "Rescuers cannot yet reach the region."),
            ("The plan can not only cut costs but also save lives.", None),
            ("He cannot explain it.", None),
        ),
    ),
    Transform(
        name="subject-verb-agreement",
        description="'is/are', 'was/were', 'has/have' that do not agree with the noun-phrase subject "
                    "right before them (MT agreeing with the nearest word): made to agree.",
        apply=subject_verb_agreement,
        examples=(
            ("My second passion were animals, so I went to the veterinary institute.",
             "My second passion was animals, so I went to the veterinary institute."),
            ("For students on a budget, second-hand textbooks is a good option.",
             "For students on a budget, second-hand textbooks are a good option."),
            ("The new rules has been in force since May.", "The new rules have been in force since May."),
            ("The pair were promising.", None),
            ("The trio were fortunate that he could begin his treatment.", None),
            ("He will not release them until the audits are complete.", None),
            ("Renting textbooks is on the rise.", None),
            ("A new generation of students are suffering.", None),
            ("If the border were open, the trucks would pass.", None),
            ("Which region are you from?", None),
            ("Victory in Palestine or victory in Belarus were met with bayonets.", None),
            ("There are new rules.", None),
            ("The police are on the scene.", None),
        ),
    ),
    Transform(
        name="future-in-condition",
        description="The future after 'if', 'when', 'until' (Russian puts the future in a condition: "
                    "'If the state will continue'): the present ('If the state continues').",
        apply=future_in_condition,
        examples=(
            ("If the state will continue to meet its goals next year, the law could cut taxes.",
             "If the state continues to meet its goals next year, the law could cut taxes."),
            ("When the doctors will be forced to stop, the clinic will close.",
             "When the doctors are forced to stop, the clinic will close."),
            ("And if the rebels will attack, the army will respond.", "And if the rebels attack, the army will respond."),
            ("The question is not if this will happen, but when.", None),
            ("I wonder if he will come.", None),
            ("If they will not pay, the court will decide.", None),
            ("If the talks fail, the war will continue.", None),
            ("Nobody knows when the talks will resume.", None),
        ),
    ),
    Transform(
        name="which-for-person",
        description="'which' after a person ('one doctor, which makes'; Russian 'который' serves "
                    "both): 'who'.",
        apply=which_for_person,
        examples=(
            ("Only one doctor, which works in the city, has admitting privileges.",
             "Only one doctor, who works in the city, has admitting privileges."),
            ("The police questioned a witness, which saw the attack from the bridge.",
             "The police questioned a witness, who saw the attack from the bridge."),
            ("They spoke to Esther Nussbaum, which worked in the service for years.", None),
            ("The report, which was published on Monday, names the doctor.", None),
            ("The number of doctors, which fell last year, is low.", None),
            ("A conflict broke out between the suspect and a resident, which resulted in a shooting.", None),
            ("Officers tried to disperse the students, which led to clashes.", None),
            ("The doctor who works in the city refused.", None),
        ),
    ),
)
