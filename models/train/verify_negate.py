"""Rule-based claim negation for synthetic training pairs of the `verify` model.

SciFact's CONTRADICT claims were written by negating claims the cited abstract supports, so
negating a SUPPORT claim (same evidence) gives a CONTRADICT example, and negating a
CONTRADICT claim gives a SUPPORT one. `negate` tries, in order: dropping an existing
negation, swapping a directional word for its opposite, negating the copula or a modal, and
negating a known third-person verb ("X regulates Y" -> "X does not regulate Y"). It returns
None when no rule applies, so no example is made from an unchanged or mangled claim.

    python models/train/verify_negate.py [N]   # prints N SciFact training negations to check
"""
import re

# Directional words and their opposites (both directions are added below).
_OPPOSITES = {
    "increase": "decrease", "increases": "decreases", "increased": "decreased",
    "increasing": "decreasing", "higher": "lower", "more": "less", "greater": "smaller",
    "reduces": "increases", "reduce": "increase", "reduced": "increased",
    "improves": "worsens", "improve": "worsen", "improved": "worsened",
    "positive": "negative", "positively": "negatively",
    "promotes": "inhibits", "promote": "inhibit", "promoted": "inhibited",
    "activates": "inhibits", "activate": "inhibit",
    "upregulates": "downregulates", "up-regulates": "down-regulates",
    "upregulated": "downregulated", "up-regulated": "down-regulated",
    "upregulation": "downregulation", "up-regulation": "down-regulation",
    "enhances": "impairs", "enhance": "impair", "enhanced": "impaired",
    "elevated": "reduced", "raises": "lowers", "raise": "lower",
    "rises": "falls", "rise": "fall", "risen": "fallen",
    "accelerates": "slows", "accelerate": "slow", "faster": "slower",
    "longer": "shorter", "better": "worse", "beneficial": "harmful",
    "effective": "ineffective", "efficient": "inefficient",
    "stimulates": "suppresses", "stimulate": "suppress",
    "facilitates": "impairs", "facilitate": "impair",
    "prevents": "causes", "high": "low", "larger": "smaller",
    "above": "below", "safe": "unsafe", "common": "rare",
    "essential": "dispensable", "necessary": "unnecessary", "sufficient": "insufficient",
    "likely": "unlikely", "before": "after", "susceptible": "resistant",
    "exacerbates": "alleviates", "worsens": "improves",
    "inhibits": "promotes", "inhibit": "promote", "decreases": "increases",
    "decrease": "increase", "decreased": "increased", "lower": "higher", "less": "more",
    "suppresses": "stimulates", "impairs": "enhances", "downregulates": "upregulates",
}
# Each word maps back too, unless it already has its own (first-listed) opposite.
for _a, _b in list(_OPPOSITES.items()):
    _OPPOSITES.setdefault(_b, _a)
# Copulas and modals negated by a following "not".
_AUX = ("is", "are", "was", "were", "can", "could", "may", "might", "will", "would",
        "should", "must", "has been", "have been", "had been")
# Third-person verbs of scientific claims; "regulates" -> "does not regulate".
_VERBS = (
    "regulates affects influences requires contains binds mediates modulates controls drives "
    "triggers induces causes leads results contributes correlates predicts plays has "
    "interacts aids alters determines confers blocks targets encodes recruits represses "
    "limits restricts delays extends shortens changes differs depends occurs exists "
    "associates localizes produces generates expresses stabilizes destabilizes protects "
    "prevents promotes inhibits reduces increases decreases improves enhances impairs "
    "activates suppresses correlate"
).split()
_WORD = re.compile(r"[A-Za-z][A-Za-z-]*")
# A relative or subordinate clause still open (no comma since) at some point of the claim.
_CLAUSE_OPEN = re.compile(r"\b(who|that|which|where|when|whether|if)\b(\s+[^\s,;]+){0,3}\s+$")
# Where the predicate starts: a copula, a modal or a known verb.
_ANCHORS = {a.split()[0] for a in _AUX} | set(_VERBS) | {"have", "had"}


def _base(verb):
    """Bare form of a third-person verb: has -> have, carries -> carry, binds -> bind."""
    if verb == "has":
        return "have"
    if verb.endswith("ies"):
        return verb[:-3] + "y"
    if verb.endswith(("sses", "shes", "ches", "xes", "zes")):
        return verb[:-2]
    return verb[:-1] if verb.endswith("s") else verb


def _keep_case(old, new):
    return new[:1].upper() + new[1:] if old[:1].isupper() else new


def _drop_negation(claim):
    rules = [
        (r"\b(does|do|did|is|are|was|were|can|could|may|will|would|should|has|have|had) not\b", r"\1"),
        (r"\bcannot\b", "can"),
        (r"\b(is|are|was|were|has|have|had|shows?|showed|demonstrates?|with) no\b(?= known| significant| effect| association| role| difference| impact| benefit| increase| change| evidence)",
         r"\1 a"),
        (r"^There (is|are|was|were) no\b", r"There \1 a"),
        (r"\bnot associated\b", "associated"),
        (r"\bnon-significant\b", "significant"),
    ]
    for pattern, repl in rules:
        out = re.sub(pattern, repl, claim, count=1)
        if out != claim:
            return out
    return None


def _swap_opposite(claim):
    """Swaps the first directional word in the predicate (from the first copula or verb on),
    so "Patients with higher counts are more vulnerable" flips "more", not the premise."""
    words = list(_WORD.finditer(claim))[1:]  # the first word is the subject's
    anchor = next((m.start() for m in words if m.group(0) in _ANCHORS
                   or (m.group(0).endswith("s") and m.group(0).lower() in _OPPOSITES)), 0)
    for m in words:
        w = m.group(0)
        new = _OPPOSITES.get(w.lower())
        if new and m.start() >= anchor:
            return claim[:m.start()] + _keep_case(w, new) + claim[m.end():]
    return None


def _negate_aux(claim):
    for aux in _AUX:
        for m in re.finditer(rf"\b{aux}\b", claim):
            # Not in a relative clause ("people who are 55", "where the mutation is").
            if m.start() > 0 and not _CLAUSE_OPEN.search(claim[:m.start()]):
                head, rest = aux.split()[0], aux[len(aux.split()[0]):]
                negated = "cannot" if head == "can" else f"{head} not"
                return claim[:m.start()] + negated + rest + claim[m.end():]
    return None


def _negate_verb(claim):
    for m in _WORD.finditer(claim):
        w = m.group(0)
        if m.start() > 0 and w in _VERBS:
            if w in ("has", "have") and re.match(r"\s+\w+(ed|en|wn)\b", claim[m.end():]):
                return claim[:m.end()] + " not" + claim[m.end():]  # "has remained"
            if w.endswith("s"):
                return claim[:m.start()] + f"does not {_base(w)}" + claim[m.end():]
            return claim[:m.start()] + f"do not {w}" + claim[m.end():]
    return None


def _articles(text):
    """a/an agreement where a rule changed the next word ("an decreased" -> "a decreased")."""
    # Lower-case initials only: "an RNA", "a unique" and "an hour" are right as they are.
    text = re.sub(r"\b([Aa]) (?=[aeio])", r"\1n ", text)
    return re.sub(r"\b([Aa])n (?=[b-df-gj-np-tv-z])", r"\1 ", text)


def negate(claim):
    """The negated claim, or None when no rule applies."""
    if re.search(r"\b(not|no|cannot|non-significant)\b", claim):
        rules = (_drop_negation,)
    else:
        rules = (_swap_opposite, _negate_aux, _negate_verb)
    for rule in rules:
        out = rule(claim)
        if out:
            return _articles(out)
    return None


if __name__ == "__main__":
    import random
    import sys

    import verify_data as vd

    pairs, _ = vd.load()
    train = sorted({(p.claim_id, p.claim, p.label) for p in pairs
                    if p.source == "scifact" and p.split == "train" and p.label != vd.LABEL_ID["NEI"]})
    made = [(c, negate(c), vd.LABELS[lab]) for _, c, lab in train]
    print(f"{sum(n is not None for _, n, _ in made)} of {len(made)} claims negated")
    for c, n, lab in random.Random(0).sample(made, int(sys.argv[1]) if len(sys.argv) > 1 else 40):
        print(f"[{lab}] {c}\n      -> {n}")
