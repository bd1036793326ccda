"""Text rules of scholia's TL;DR head: words, cue phrases, LaTeX clean-up, marker trimming, the
30-word rule. Every rule here is specified in models/tldr-head/features.json and must be
implemented identically in Rust (the patterns are plain regexes that Rust's `regex` crate reads
with the same meaning: no look-around, no back-references).
"""
import re

# Unicode White_Space property, exactly the set Rust's `char::is_whitespace` uses.
WHITESPACE = ("\u0009\u000a\u000b\u000c\u000d\u0020\u0085\u00a0\u1680"
              "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
              "\u2028\u2029\u202f\u205f\u3000")
_WS_RUN = re.compile("[" + WHITESPACE + "]+")

MAX_WORDS = 30

# Cue phrases: feature = 1.0 if the phrase occurs as a substring of the ASCII-lowercased
# sentence (raw sentence text, before any clean-up), else 0.0. Plain substring: "our" also fires
# inside "sources"; no word boundaries, on purpose simple to match in Rust.
CUE_PHRASES = [
    "we propose", "we present", "we introduce", "we show", "we demonstrate", "in this paper",
    "in this work", "our", "results", "outperform", "state-of-the-art", "novel", "however",
    "existing", "recent",
]

# Leading discourse markers trimmed from the chosen sentence (output only, never features).
MARKERS = [
    "in this paper", "in this work", "in this study", "in this note", "in this article",
    "here", "however", "furthermore", "moreover", "finally", "in particular", "specifically",
    "in addition", "additionally", "to this end", "further", "therefore", "thus", "hence",
    "consequently", "as a result", "in contrast", "instead", "empirically", "to address this issue",
    "to address this problem", "to achieve this", "first", "second", "third", "secondly", "thirdly",
    "next", "then", "also", "besides", "nevertheless", "overall", "in summary", "in conclusion",
    "to summarize",
]


def words(text):
    """Words = maximal runs of non-White_Space characters (Rust: str::split_whitespace)."""
    return [w for w in _WS_RUN.split(text) if w]


def ascii_lower(text):
    """Lowercase A-Z only (Rust: str::to_ascii_lowercase)."""
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def cue_features(text):
    low = ascii_lower(text)
    return [1.0 if p in low else 0.0 for p in CUE_PHRASES]


# --- LaTeX clean-up (output text only), applied in this order ---------------------------------
# 1. drop citation / reference commands with their optional and mandatory arguments
RE_CITE = re.compile(r"\\(?:[A-Za-z]*cite[A-Za-z]*|ref|eqref|autoref|cref|Cref|label|footnote)\*?"
                     r"(?:\[[^\]]*\])*\{[^{}]*\}")
# 2. unwrap `\name{arg}` (innermost first, repeated until nothing changes) to `arg`
RE_UNWRAP = re.compile(r"\\[A-Za-z]+\*?\{([^{}]*)\}")
# 3. escaped characters `\%`, `\&`, `\_`, `\#`, `\$`, `\{`, `\}` -> the character
RE_ESCAPE = re.compile(r"\\([%&_#$\{\}])")
# 4. remaining control words `\name` -> `name` (e.g. \sigma -> sigma); other `\x` -> nothing
RE_CTRLWORD = re.compile(r"\\([A-Za-z]+)\*?")
RE_CTRLSYM = re.compile(r"\\[^A-Za-z]")
# 5. math shifts, braces and `~` removed / spaced; then whitespace runs -> one space, trimmed,
#    and a space before , . ; : ) removed
RE_SPACE_BEFORE_PUNCT = re.compile(r" ([,.;:)])")


def clean_latex(text):
    out = RE_CITE.sub("", text)
    while True:
        nxt = RE_UNWRAP.sub(r"\1", out)
        if nxt == out:
            break
        out = nxt
    # protect escaped characters from step 5 with private-use placeholders
    out = RE_ESCAPE.sub(lambda m: _PROTECT[m.group(1)], out)
    out = RE_CTRLWORD.sub(r"\1", out)
    out = RE_CTRLSYM.sub("", out)
    out = out.replace("$", "").replace("{", "").replace("}", "").replace("~", " ")
    for k, v in _PROTECT.items():
        out = out.replace(v, k)
    out = " ".join(words(out))
    out = RE_SPACE_BEFORE_PUNCT.sub(r"\1", out)
    return out


_PROTECT = {c: chr(0xE000 + i) for i, c in enumerate("%&_#${}")}


def strip_markers(text):
    """Repeatedly remove a leading marker followed by ',' and whitespace (ASCII case-insensitive),
    longest marker first; then upper-case the first character if it is ASCII a-z."""
    changed = True
    out = text
    while changed:
        changed = False
        low = ascii_lower(out)
        for m in sorted(MARKERS, key=lambda s: (-len(s), s)):
            if low.startswith(m + ","):
                rest = out[len(m) + 1:]
                stripped = rest.lstrip(WHITESPACE)
                if stripped and len(stripped) < len(rest):
                    out = stripped
                    changed = True
                    break
    if out and "a" <= out[0] <= "z":
        out = out[0].upper() + out[1:]
    return out


def display_text(sentence, trim_markers=True):
    """The text shown for a sentence: LaTeX clean-up, then marker trimming."""
    out = clean_latex(sentence)
    return strip_markers(out) if trim_markers else out


CLAUSE_END = (",", ";", ":")
MIN_CUT_WORDS = 12


def cut_to_words(text, max_words=MAX_WORDS):
    """Cut a text longer than max_words: keep the first max_words words, then go back to the last
    word (at position >= MIN_CUT_WORDS, 1-based) that ends with , ; or : and cut after it; the
    trailing punctuation of the last kept word is replaced by U+2026. Without such a word, keep
    max_words words and append U+2026."""
    ws = words(text)
    if len(ws) <= max_words:
        return text
    ws = ws[:max_words]
    cut = len(ws)
    for k in range(len(ws), MIN_CUT_WORDS - 1, -1):
        if ws[k - 1].endswith(CLAUSE_END):
            cut = k
            break
    ws = ws[:cut]
    last = ws[-1]
    while last and last[-1] in ",;:":
        last = last[:-1]
    ws[-1] = last
    return " ".join(ws) + "\u2026"


def choose(scores, texts, margin, max_words=MAX_WORDS):
    """The 30-word rule. best = argmax score (first on ties). If best's display text has more
    than max_words words, take the highest-scoring sentence whose display text has at most
    max_words words if its score >= score[best] - margin; otherwise cut best's text.
    Returns (index, final text)."""
    best = max(range(len(scores)), key=lambda i: (scores[i], -i))
    if len(words(texts[best])) <= max_words:
        return best, texts[best]
    short = [i for i in range(len(scores)) if len(words(texts[i])) <= max_words]
    if short:
        alt = max(short, key=lambda i: (scores[i], -i))
        if scores[alt] >= scores[best] - margin:
            return alt, texts[alt]
    return best, cut_to_words(texts[best], max_words)
