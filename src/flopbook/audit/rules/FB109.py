"""FB109 — double minus between references.

Severity: warning. `--` between two references subtracts a negation, so it adds:
`=B5--B6` is `B5+B6`, almost always a slip for `=B5-B6`.

```
    A             B
5   Revenue $m    120
6   Costs $m      80
7   Profit $m     =B5--B6       <- 200, not 40
fix               B7: =B5-B6
```

Not flagged: `--` at the start of a formula or an argument (`=SUMPRODUCT(--(A1:A5>0))`
turns TRUE/FALSE into 1/0 on purpose).
"""

from __future__ import annotations

from collections.abc import Iterator

from openpyxl.formula.tokenizer import Token

from flopbook.audit.findings import Finding
from flopbook.audit.rules import Context, Rule


class FB109(Rule):
    code = "FB109"
    title = "Double minus between references"
    severity = "warning"
    confidence = 0.7
    finds = "`--` between references"

    def check(self, ctx: Context) -> Iterator[Finding]:
        for sheet in ctx.book.sheets.values():
            seen: dict[str, int | None] = {}  # shape -> token index of the "--", if any
            for pos in sorted(sheet.formulas):
                if "-" not in sheet.formulas[pos]:
                    continue
                p = sheet.parsed(pos)
                if p is None or p.error:
                    continue
                shape = sheet.shape(pos) or ""
                if shape not in seen:
                    seen[shape] = _double_minus(p)
                at = seen[shape]
                if at is None:
                    continue
                kept = [i for i, t in enumerate(p.tokens) if t.type != Token.WSPACE]
                right = p.tokens[kept[kept.index(at) + 2]].value
                drop = at + _skip(p, at)
                suggestion = "=" + "".join(t.value for i, t in enumerate(p.tokens) if i != drop)
                message = (
                    f"{sheet.formulas[pos]} has '--' before {right}: minus a negative "
                    f"adds {right}. If {right} was meant to be subtracted, write "
                    f"{suggestion}."
                )
                yield self.suggest(ctx, sheet, pos, message, suggestion)


def _double_minus(p) -> int | None:  # noqa: ANN001
    """Token index of an infix '-' that a prefix '-' and then a reference follow, with a value
    (a reference, a number or a closing bracket) before it."""
    kept = [i for i, t in enumerate(p.tokens) if t.type != Token.WSPACE]
    for k in range(1, len(kept) - 2):
        t, n, after = (p.tokens[kept[k]], p.tokens[kept[k + 1]], p.tokens[kept[k + 2]])
        before = p.tokens[kept[k - 1]]
        if not (t.type == Token.OP_IN and t.value == "-"):
            continue
        if not (n.type == Token.OP_PRE and n.value == "-"):
            continue
        if after.type != Token.OPERAND or after.subtype != Token.RANGE:
            continue
        if before.type == Token.OPERAND or (
            before.type in (Token.PAREN, Token.FUNC) and before.subtype == Token.CLOSE
        ):
            return kept[k]
    return None


def _skip(p, at: int) -> int:  # noqa: ANN001
    """Offset from the infix '-' to the prefix '-' that follows it (whitespace between)."""
    k = at + 1
    while p.tokens[k].type == Token.WSPACE:
        k += 1
    return k - at
