"""The libcst transformer that turns one async module into its sync twin (no header, no ruff)."""

from __future__ import annotations

import re
from typing import NamedTuple, TypeVar

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from codegen.names import KEEP_MARKER, PREDICATES, RENAMES

FLAG = "IS_ASYNC"
ASYNC_LIBS = frozenset({"asyncio", "anyio"})

_NAMES_RE = re.compile(
    r"(?:\b(?P<art>[Aa]n?) )?\b(?P<name>"
    + "|".join(re.escape(k) for k in sorted(RENAMES, key=len, reverse=True))
    + r")\b"
)
_CODE_AWAIT_RE = re.compile(r"\bawait (?=[A-Za-z_]\w*(?:\.\w+)*[(\[`)])")
_ADJECTIVE_RE = re.compile(r"(?:\b(?P<art>[Aa]n?) )?\b(?P<adj>[Aa]sync(?:hronous)?) (?P<next>\w|`)")
_PREDICATE_RE = re.compile(r"\b(" + "|".join(PREDICATES) + r")\b")


class Problem(NamedTuple):
    """One error, reported as ``path:line: message``."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class CodegenError(Exception):
    """One or more problems that make generation fail (the CLI exits 1)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def _article(article: str | None, word: str) -> str:
    """`article` ("a"/"an", any case) agreeing with `word`, followed by a space; "" if none."""
    if article is None:
        return ""
    agreed = "an" if word[:1].lower() in "aeiou" else "a"
    return (agreed.capitalize() if article[0] == "A" else agreed) + " "


def _drop_adjective(match: re.Match[str]) -> str:
    """ "an async client" -> "a client"; "Async engines" (a sentence start) -> "Engines"."""
    article, adjective, following = match.group("art", "adj", "next")
    if article is None and adjective[0] == "A":
        following = following.upper()
    word = following + match.string[match.end() :]
    return _article(article, word.lstrip("`")) + following


def rewrite_prose(text: str, fired: set[str] | None = None) -> str:
    """Rewrite a docstring, string literal or comment into the sync twin's prose.

    The table's renames first (whole words; "an AIOEngine" becomes "a SyncEngine"), then
    `await` before code is dropped, an async adjective before a word is dropped (its article
    agreeing with the next word), and a predicate async word is replaced (`PREDICATES`).
    """

    def rename(match: re.Match[str]) -> str:
        name = match.group("name")
        if fired is not None:
            fired.add(name)
        new = RENAMES[name]
        return _article(match.group("art"), new) + new

    text = _NAMES_RE.sub(rename, text)
    text = _CODE_AWAIT_RE.sub("", text)
    text = _ADJECTIVE_RE.sub(_drop_adjective, text)
    return _PREDICATE_RE.sub(lambda m: PREDICATES[m.group(1)], text)


def dotted_name(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


def _flag_test(test: cst.BaseExpression) -> tuple[bool, cst.Name] | None:
    """(True, name) for ``IS_ASYNC``, (False, name) for ``not IS_ASYNC``, else None."""
    if isinstance(test, cst.Name) and test.value == FLAG:
        return True, test
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = _flag_test(test.expression)
        if inner is not None and inner[0]:
            return False, inner[1]
    return None


def _as_lines(block: cst.BaseSuite) -> list[cst.BaseStatement]:
    if isinstance(block, cst.IndentedBlock):
        return list(block.body)
    assert isinstance(block, cst.SimpleStatementSuite)
    return [cst.SimpleStatementLine(body=block.body)]


def _multiline(node: cst.Await) -> bool:
    """Whether the parentheses around ``node`` span lines (then they must stay)."""
    return any(
        isinstance(p.whitespace_after, cst.ParenthesizedWhitespace) for p in node.lpar
    ) or any(isinstance(p.whitespace_before, cst.ParenthesizedWhitespace) for p in node.rpar)


class SyncTransformer(cst.CSTTransformer):
    """Async -> sync rewrite of one module; collects problems and the table keys that fired."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, path: str, fired: set[str], kept_lines: frozenset[int]) -> None:
        super().__init__()
        self.path = path
        self.fired = fired
        self.kept_lines = kept_lines  # lines ending with KEEP_MARKER: their strings stay
        self.problems: list[Problem] = []
        self._dead: set[int] = set()  # ids of nodes dropped unvisited (the async branches)
        self._allowed: set[int] = set()  # ids of IS_ASYNC names that are consumed
        self._forbidden = set(ASYNC_LIBS)  # asyncio/anyio and names imported from them

    def _error(self, node: cst.CSTNode, message: str) -> None:
        line = self.get_metadata(PositionProvider, node).start.line
        self.problems.append(Problem(self.path, line, message))

    def on_visit(self, node: cst.CSTNode) -> bool:
        return id(node) not in self._dead and super().on_visit(node)

    # --- names, attributes, strings, comments -------------------------------------------
    def visit_Name(self, node: cst.Name) -> None:
        if node.value == FLAG and id(node) not in self._allowed:
            self._error(node, f"{FLAG} used outside `if {FLAG}:` / `if not {FLAG}:`")
        elif node.value in self._forbidden:
            self._error(node, f"`{node.value}` left in sync code; branch on {FLAG} instead")

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        new = RENAMES.get(updated_node.value)
        if new is None or "." in new:
            return updated_node
        self.fired.add(updated_node.value)
        return updated_node.with_changes(value=new)

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        name = dotted_name(original_node)
        if name is None or "." not in name or name not in RENAMES:
            return updated_node
        self.fired.add(name)
        new = cst.parse_expression(RENAMES[name])
        return new.with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar)

    def _prose(self, node: cst.CSTNode, text: str) -> str:
        if self.get_metadata(PositionProvider, node).start.line in self.kept_lines:
            return text
        return rewrite_prose(text, self.fired)

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.SimpleString:
        if "b" in updated_node.prefix.lower():
            return updated_node
        return updated_node.with_changes(value=self._prose(original_node, updated_node.value))

    def leave_FormattedStringText(
        self, original_node: cst.FormattedStringText, updated_node: cst.FormattedStringText
    ) -> cst.FormattedStringText:
        return updated_node.with_changes(value=self._prose(original_node, updated_node.value))

    def leave_Comment(self, original_node: cst.Comment, updated_node: cst.Comment) -> cst.Comment:
        return updated_node.with_changes(value=self._prose(original_node, updated_node.value))

    # --- unions the renames made redundant (`AsyncMongoClient | AsyncIOMotorClient`) ---------
    def leave_BinaryOperation(
        self, original_node: cst.BinaryOperation, updated_node: cst.BinaryOperation
    ) -> cst.BaseExpression:
        if not isinstance(updated_node.operator, cst.BitOr):
            return updated_node
        operands = _union_operands(updated_node)
        kept: list[cst.BaseExpression] = []
        for operand in operands:
            if not any(operand.deep_equals(other) for other in kept):
                kept.append(operand)
        if len(kept) == len(operands):
            return updated_node
        union = kept[0]
        for operand in kept[1:]:
            union = cst.BinaryOperation(union, cst.BitOr(), operand)
        return union.with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar)

    # --- async syntax ----------------------------------------------------------------------
    def leave_Await(self, original_node: cst.Await, updated_node: cst.Await) -> cst.BaseExpression:
        expr = updated_node.expression
        if not _multiline(
            updated_node
        ):  # the operand is a primary: single-line parens are redundant
            return expr
        return expr.with_changes(
            lpar=[*updated_node.lpar, *expr.lpar], rpar=[*expr.rpar, *updated_node.rpar]
        )

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        return updated_node.with_changes(asynchronous=None)

    def leave_For(self, original_node: cst.For, updated_node: cst.For) -> cst.For:
        return updated_node.with_changes(asynchronous=None)

    def leave_With(self, original_node: cst.With, updated_node: cst.With) -> cst.With:
        return updated_node.with_changes(asynchronous=None)

    def leave_CompFor(self, original_node: cst.CompFor, updated_node: cst.CompFor) -> cst.CompFor:
        return updated_node.with_changes(asynchronous=None)

    def leave_Subscript(
        self, original_node: cst.Subscript, updated_node: cst.Subscript
    ) -> cst.BaseExpression:
        name = (dotted_name(original_node.value) or "").rsplit(".", 1)[-1]
        args = list(updated_node.slice)
        keep = {"Awaitable": (1, 0), "Coroutine": (3, 2)}.get(name)
        if keep is not None and len(args) == keep[0] and isinstance(args[keep[1]].slice, cst.Index):
            index = args[keep[1]].slice
            assert isinstance(index, cst.Index)
            return index.value
        if name == "AsyncGenerator" and len(args) in (1, 2):
            nones = [cst.SubscriptElement(cst.Index(cst.Name("None")))] * (3 - len(args))
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            return updated_node.with_changes(slice=[*args, *nones])
        if keep is not None:
            self._error(original_node, f"cannot rewrite this {name}[...]")
        return updated_node

    # --- IS_ASYNC branches -----------------------------------------------------------------
    def visit_If(self, node: cst.If) -> None:
        flag = _flag_test(node.test)
        if flag is None:
            return
        self._allowed.add(id(flag[1]))
        if isinstance(node.orelse, cst.If):
            self._error(node.orelse, f"`elif` is not allowed after `if {FLAG}`; nest an if instead")
        dead = node.body if flag[0] else (node.orelse.body if node.orelse else None)
        if dead is not None:
            self._dead.add(id(dead))

    def leave_If(
        self, original_node: cst.If, updated_node: cst.If
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement] | cst.RemovalSentinel:
        flag = _flag_test(original_node.test)
        if flag is None:
            return updated_node
        orelse = updated_node.orelse
        keep = updated_node.body if not flag[0] else orelse.body if orelse else None
        if keep is None:
            return cst.RemoveFromParent()
        lines = _as_lines(keep)
        first = lines[0]
        lines[0] = first.with_changes(
            leading_lines=[*updated_node.leading_lines, *getattr(first, "leading_lines", ())]
        )
        return cst.FlattenSentinel(lines)

    def visit_IfExp(self, node: cst.IfExp) -> None:
        flag = _flag_test(node.test)
        if flag is not None:
            self._allowed.add(id(flag[1]))
            self._dead.add(id(node.body if flag[0] else node.orelse))

    def leave_IfExp(self, original_node: cst.IfExp, updated_node: cst.IfExp) -> cst.BaseExpression:
        flag = _flag_test(original_node.test)
        if flag is None:
            return updated_node
        kept = updated_node.orelse if flag[0] else updated_node.body
        return kept.with_changes(
            lpar=[*updated_node.lpar, *kept.lpar], rpar=[*kept.rpar, *updated_node.rpar]
        )

    # --- imports and the flag's definition -------------------------------------------------
    def visit_Import(self, node: cst.Import) -> bool:
        libs = [a for a in node.names if _is_lib(a)]
        self._forbidden.update(_bound(a) for a in libs)
        return not libs

    def leave_Import(
        self, original_node: cst.Import, updated_node: cst.Import
    ) -> cst.Import | cst.RemovalSentinel:
        return _with_aliases(updated_node, [a for a in updated_node.names if not _is_lib(a)])

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        module = dotted_name(node.module) if node.module and not node.relative else None
        aliases = [] if isinstance(node.names, cst.ImportStar) else list(node.names)
        if (module or "").split(".")[0] in ASYNC_LIBS:
            self._forbidden.update(_bound(a) for a in aliases)
            return False
        self._allowed.update(id(a.name) for a in aliases if dotted_name(a.name) == FLAG)
        return True

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom | cst.RemovalSentinel:
        module = dotted_name(original_node.module) if original_node.module else None
        if not original_node.relative and (module or "").split(".")[0] in ASYNC_LIBS:
            return cst.RemoveFromParent()
        if isinstance(updated_node.names, cst.ImportStar):
            return updated_node
        return _with_aliases(updated_node, [a for a in updated_node.names if a.name.value != FLAG])

    def visit_Assign(self, node: cst.Assign) -> None:
        self._allowed.update(id(t.target) for t in node.targets if _is_flag(t.target))

    def leave_Assign(
        self, original_node: cst.Assign, updated_node: cst.Assign
    ) -> cst.Assign | cst.RemovalSentinel:
        flag = any(_is_flag(t.target) for t in original_node.targets)
        return cst.RemoveFromParent() if flag else updated_node

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if _is_flag(node.target):
            self._allowed.add(id(node.target))

    def leave_AnnAssign(
        self, original_node: cst.AnnAssign, updated_node: cst.AnnAssign
    ) -> cst.AnnAssign | cst.RemovalSentinel:
        if _is_flag(original_node.target):
            return cst.RemoveFromParent()
        value = updated_node.value
        if dotted_name(updated_node.annotation.annotation) == "TypeAlias" and isinstance(
            value, cst.SimpleString
        ):  # a quoted alias: its union is text
            return updated_node.with_changes(
                value=value.with_changes(value=_dedupe_text(value.value))
            )
        return updated_node


def _union_operands(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The members of a `|` chain (unparenthesised), left to right."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        if not node.lpar:
            return [*_union_operands(node.left), *_union_operands(node.right)]
    return [node]


def _dedupe_text(literal: str) -> str:
    """A quoted type alias (`"MongoClient[Any] | MongoClient[Any]"`) with each union member
    once."""
    quote = literal[-1]
    start = literal.index(quote)
    members = literal[start + 1 : -1].split(" | ")
    unique = list(dict.fromkeys(member.strip() for member in members))
    return literal[: start + 1] + " | ".join(unique) + quote


def _is_flag(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == FLAG


def _is_lib(alias: cst.ImportAlias) -> bool:
    return str(dotted_name(alias.name)).split(".")[0] in ASYNC_LIBS


def _bound(alias: cst.ImportAlias) -> str:
    """The top-level name an import alias binds."""
    target = alias.asname.name if alias.asname else alias.name
    assert isinstance(target, (cst.Name, cst.Attribute))
    return str(dotted_name(target)).split(".")[0]


_Imp = TypeVar("_Imp", cst.Import, cst.ImportFrom)


def _with_aliases(node: _Imp, names: list[cst.ImportAlias]) -> _Imp | cst.RemovalSentinel:
    if not names:
        return cst.RemoveFromParent()
    if not isinstance(node.names, cst.ImportStar) and len(names) != len(node.names):
        if getattr(node, "lpar", None) is None:  # a trailing comma needs parentheses
            names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return node.with_changes(names=names)
    return node


def transform(source: str, path: str, fired: set[str] | None = None) -> str:
    """Return the sync twin of ``source`` (before header and ruff); ``path`` is for errors.

    Table keys that fire are added to ``fired``. String literals on a line ending with
    ``KEEP_MARKER`` are kept as written. Raises ``CodegenError`` on any problem.
    """
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        raise CodegenError([Problem(path, exc.raw_line, exc.message)]) from exc
    kept = frozenset(
        number
        for number, line in enumerate(source.splitlines(), start=1)
        if line.rstrip().endswith(KEEP_MARKER)
    )
    transformer = SyncTransformer(path, set() if fired is None else fired, kept)
    code = MetadataWrapper(module).visit(transformer).code
    if transformer.problems:
        raise CodegenError(transformer.problems)
    return code
