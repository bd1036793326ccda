"""Text rules of scholia's claim head: citation-placeholder removal, the never-flag rule and the
lexical features. Specified in models/claim-head/features.json and implemented identically in
Rust (src/analysis/claims/detect.rs); the patterns are plain regexes that Rust's `regex` crate
reads with the same meaning (no look-around, no back-references, only literal spaces, which is
why whitespace is collapsed first).
"""
import re

from tldr_text import ascii_lower, words

# What a citation reads as in the IR's prose (src/syntax/prose.rs CITATION_PLACEHOLDER).
PLACEHOLDER = "[REF]"

# clean(): applied in this order to whitespace-collapsed text. A citation's removal must leave
# what an uncited sentence would say, or the head learns the scar ("as shown by .") instead of
# the claim: the lead-in words that only make sense before a citation go with it.
CLEAN_STEPS = [
    # 1. a placeholder with the lead-ins before it ("see, e.g., [REF]", "shown by [REF]")
    (r"(?i)(?:\b(?:see|also|by|in|and|of|from|to|such as|cf|e\.g|i\.e)\.?[,:]? )*\[REF\]", ""),
    # 2. brackets left empty (or holding only separators)
    (r"[(\[][ ,;]*[)\]]", ""),
    # 3. spaces the removal doubled
    (r" {2,}", " "),
    # 4. a space left before closing punctuation
    (r" ([,.;:!?)\]])", r"\1"),
    # 5. a separator left before another ("Guard, , to" -> "Guard, to"; "word,." -> "word.")
    (r"[,;]+([,.;:!?])", r"\1"),
]
_CLEAN = [(re.compile(p), r) for p, r in CLEAN_STEPS]
# Separators or spaces left at either end.
_EDGES = " ,;:"

MIN_WORDS = 6

# Lexical features on the cleaned sentence: its ASCII-lowercased letter runs are the tokens;
# a phrase fires when its tokens occur contiguously. Why each group:
FIRST_PERSON = ["we", "our", "us", "ours"]  # the authors' own work, rarely cited
PHRASES = [
    # attribution and hedges: reported knowledge that someone established
    "has been", "have been", "been shown", "been reported", "it is known", "well known",
    "widely", "previous", "previously", "recent", "recently", "studies", "et al", "reported",
    "proposed", "developed", "commonly", "typically", "such as",
    # comparatives: claims relative to other work
    "than", "better", "outperform", "outperforms",
    # the document itself: statements about this paper, not about the field
    "this paper", "this work", "this review", "this section", "here", "figure", "table",
]


def clean(prose):
    """The sentence with citation placeholders (and the words that lead into them) removed."""
    text = " ".join(words(prose))
    for pattern, repl in _CLEAN:
        text = pattern.sub(repl, text)
    return text.strip(_EDGES)


def eligible(prose):
    """Never-flag rule: a sentence is considered only with >= MIN_WORDS words holding an ASCII
    letter once cleaned (short fragments, list items, number or math runs are not claims)."""
    return sum(1 for w in words(clean(prose)) if re.search("[A-Za-z]", w)) >= MIN_WORDS


_TOKEN = re.compile("[a-z]+")


def tokens(text):
    return _TOKEN.findall(ascii_lower(text))


def has_phrase(toks, phrase):
    p = phrase.split(" ")
    return any(toks[i:i + len(p)] == p for i in range(len(toks) - len(p) + 1))


def feature_names():
    return ["first_person", "has_digit", "has_percent", "log_words"] + ["phrase:" + p for p in PHRASES]


LOG_WORDS_DENOM = 64.0


def lexical_features(cleaned):
    """Lexical part of the feature row, from the cleaned sentence."""
    import math
    toks = tokens(cleaned)
    n = len(words(cleaned))
    return [
        1.0 if any(t in FIRST_PERSON for t in toks) else 0.0,
        1.0 if re.search("[0-9]", cleaned) else 0.0,
        1.0 if "%" in cleaned else 0.0,
        min(max(math.log1p(n) / math.log(LOG_WORDS_DENOM), 0.0), 1.0),
    ] + [1.0 if has_phrase(toks, p) else 0.0 for p in PHRASES]


# --- citation-integrity (training only) --------------------------------------------------------
# Its citing sentences mask citations as <|cit|>, <|multi_cit|>, <|other_cit|>, sometimes inside a
# bracket with numbers ("[<|multi_cit|>,7]", "[<|multi_cit|>-11]"). They become the IR's
# placeholder, so the same clean() removes them.
_CITINT_MARK = re.compile(r"<\|(?:multi_|other_)?cit\|>")
_CITINT_GROUP = re.compile(r"[(\[](?: ?(?:\[REF\]|[0-9]+) ?[,;\u2013\u2014-]?)+[)\]]")
# Sentence ends inside a claim: punctuation (maybe a marker after it), a space, a capital.
_CITINT_SPLIT = re.compile(r"(?<=[.!?]) (?=[A-Z])|(?<=[.!?]\[REF\]) (?=[A-Z])")


def citint_sentences(claim):
    """The sentences of a citation-integrity claim, in IR prose form, with whether each cites."""
    text = " ".join(words(_CITINT_MARK.sub(PLACEHOLDER, claim)))
    text = _CITINT_GROUP.sub(PLACEHOLDER, text)
    out = []
    for part in _CITINT_SPLIT.split(text):
        if part:
            out.append((part, PLACEHOLDER in part))
    return out
