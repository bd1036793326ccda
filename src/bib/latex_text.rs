//! Display text from TeX field values. The `biblatex` crate already turns accents, dashes and
//! special letters into Unicode and drops grouping braces; what it leaves are commands it
//! doesn't know, written back as `\name{arg}` or `\name `, and raw math. This finishes the job.

/// Plain text of decoded prose: unknown commands dropped (their arguments kept), `~` as a
/// space, runs of whitespace collapsed.
pub(crate) fn prose(s: &str) -> String {
    Walker { math: false }.run(s)
}

/// Plain text of math-mode content: common symbols as Unicode, all braces dropped.
pub(crate) fn math(s: &str) -> String {
    Walker { math: true }.run(s)
}

/// Verbatim values (URLs, DOIs): only `\_`, `\%` and the like unescaped.
pub(crate) fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.trim().chars().peekable();
    while let Some(c) = chars.next() {
        match chars.peek() {
            Some(&next) if c == '\\' && !next.is_alphanumeric() => {
                out.push(next);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

struct Walker {
    math: bool,
}

impl Walker {
    fn run(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        // Depths of the `{` that opened a command's argument: its `}` is dropped too.
        let mut arg_depths: Vec<usize> = Vec::new();
        let mut depth = 0usize;
        let mut rest = s;
        while let Some(c) = rest.chars().next() {
            rest = &rest[c.len_utf8()..];
            match c {
                '\\' => {
                    let name_len =
                        rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
                    if name_len == 0 {
                        // `\_`, `\&`, `\,`: the character itself, spacing commands as a space.
                        if let Some(next) = rest.chars().next() {
                            rest = &rest[next.len_utf8()..];
                            out.push(if matches!(next, ',' | ';' | ':' | '!' | ' ') {
                                ' '
                            } else {
                                next
                            });
                        }
                        continue;
                    }
                    let name = &rest[..name_len];
                    rest = &rest[name_len..];
                    if self.math {
                        out.push_str(symbol(name).unwrap_or(""));
                    }
                    if let Some(after) = rest.strip_prefix('{') {
                        rest = after;
                        depth += 1;
                        arg_depths.push(depth);
                    } else if !self.math {
                        // TeX swallows the blank after a control word (in math, blanks
                        // don't matter and keep symbols readable).
                        rest = rest.trim_start_matches([' ', '\t']);
                    }
                }
                '{' => {
                    depth += 1;
                    if !self.math {
                        out.push(c);
                    }
                }
                '}' => {
                    if arg_depths.last() == Some(&depth) {
                        arg_depths.pop();
                    } else if !self.math {
                        out.push(c);
                    }
                    depth = depth.saturating_sub(1);
                }
                '~' => out.push(' '),
                _ => out.push(c),
            }
        }
        collapse_whitespace(&out)
    }
}

fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Math commands common in titles.
fn symbol(name: &str) -> Option<&'static str> {
    Some(match name {
        "alpha" => "α",
        "beta" => "β",
        "gamma" => "γ",
        "delta" => "δ",
        "epsilon" | "varepsilon" => "ε",
        "zeta" => "ζ",
        "eta" => "η",
        "theta" | "vartheta" => "θ",
        "iota" => "ι",
        "kappa" => "κ",
        "lambda" => "λ",
        "mu" => "μ",
        "nu" => "ν",
        "xi" => "ξ",
        "pi" => "π",
        "rho" => "ρ",
        "sigma" => "σ",
        "tau" => "τ",
        "upsilon" => "υ",
        "phi" | "varphi" => "φ",
        "chi" => "χ",
        "psi" => "ψ",
        "omega" => "ω",
        "Gamma" => "Γ",
        "Delta" => "Δ",
        "Theta" => "Θ",
        "Lambda" => "Λ",
        "Xi" => "Ξ",
        "Pi" => "Π",
        "Sigma" => "Σ",
        "Phi" => "Φ",
        "Psi" => "Ψ",
        "Omega" => "Ω",
        "times" => "×",
        "cdot" => "·",
        "pm" => "±",
        "mp" => "∓",
        "le" | "leq" => "≤",
        "ge" | "geq" => "≥",
        "ne" | "neq" => "≠",
        "approx" => "≈",
        "sim" => "∼",
        "infty" => "∞",
        "to" | "rightarrow" => "→",
        "leftarrow" => "←",
        "partial" => "∂",
        "nabla" => "∇",
        "sum" => "∑",
        "int" => "∫",
        "sqrt" => "√",
        "ell" => "ℓ",
        "hbar" => "ℏ",
        "circ" => "∘",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_commands_keep_their_arguments() {
        assert_eq!(prose(r"The \emph{\textbf{bold}} and \relax  plain"), "The bold and plain");
        assert_eq!(prose("a~b\n\t c"), "a b c");
    }

    #[test]
    fn literal_braces_and_escapes_survive() {
        assert_eq!(prose(r"sets {x} \& \_ maps"), "sets {x} & _ maps");
    }

    #[test]
    fn math_symbols() {
        assert_eq!(math(r"\alpha_{s} \le 10^{-3}\,\mathrm{GeV}"), "α_s ≤ 10^-3 GeV");
    }

    #[test]
    fn unescaped_urls_keep_tildes() {
        assert_eq!(unescape(r" https://x.org/~me/a\_b\%20 "), "https://x.org/~me/a_b%20");
    }
}
