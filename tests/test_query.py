"""Query and sort expressions built from field proxies, and index declarations."""

import enum
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import bson
import bson.regex
import pymongo
import pytest
from bson.decimal128 import Decimal128

from odmantic import EmbeddedModel, Field, Index, Model, Reference
from odmantic.config import ODMConfigDict
from odmantic.index import indexes_of
from odmantic.query import (
    QueryExpression,
    SortExpression,
    all_,
    and_,
    asc,
    build_filter,
    build_sort,
    desc,
    elem_match,
    eq,
    exists,
    gt,
    gte,
    in_,
    lt,
    lte,
    match,
    ne,
    nor_,
    not_in,
    or_,
    size,
)


class Level(enum.Enum):
    LOW = "low"
    HIGH = "high"


class Address(EmbeddedModel):
    city: str
    zip_code: str = Field(default="00000", key_name="zip")


class Location(EmbeddedModel):
    address: Address = Field(key_name="addr")


class Line(EmbeddedModel):
    sku: str
    qty: int = Field(default=1, key_name="q")


class Player(Model):
    name: str
    level: int = Field(default=0, ge=0)
    tags: list[str] = []
    score: Decimal = Decimal(0)
    rank: Level = Level.LOW
    meta: dict[str, int] = {}
    address: Address | None = None
    location: Location | None = Field(default=None, key_name="loc")
    lines: list[Line] = Field(default_factory=list, key_name="ls")
    nick: str = Field(default="", key_name="nk")


class Team(Model):
    name: str


class Member(Model):
    name: str
    team: Team = Reference(key_name="team_id")


# --------------------------------------------------------------------------- comparisons


@pytest.mark.parametrize(
    "expr, expected",
    [
        (lambda: Player.name == "x", {"name": {"$eq": "x"}}),
        (lambda: Player.name != "x", {"name": {"$ne": "x"}}),
        (lambda: Player.level > 1, {"level": {"$gt": 1}}),
        (lambda: Player.level >= 1, {"level": {"$gte": 1}}),
        (lambda: Player.level < 1, {"level": {"$lt": 1}}),
        (lambda: Player.level <= 1, {"level": {"$lte": 1}}),
        (lambda: Player.name.eq("x"), {"name": {"$eq": "x"}}),  # type: ignore[attr-defined]
        (lambda: Player.name.ne("x"), {"name": {"$ne": "x"}}),  # type: ignore[attr-defined]
        (lambda: Player.level.gt(2), {"level": {"$gt": 2}}),  # type: ignore[attr-defined]
        (lambda: Player.level.gte(2), {"level": {"$gte": 2}}),  # type: ignore[attr-defined]
        (lambda: Player.level.lt(2), {"level": {"$lt": 2}}),  # type: ignore[attr-defined]
        (lambda: Player.level.lte(2), {"level": {"$lte": 2}}),  # type: ignore[attr-defined]
        (lambda: Player.level.in_([1, 2]), {"level": {"$in": [1, 2]}}),  # type: ignore[attr-defined]
        (lambda: Player.level.not_in((1, 2)), {"level": {"$nin": [1, 2]}}),  # type: ignore[attr-defined]
        (lambda: Player.name.match("^a"), {"name": {"$regex": "^a"}}),  # type: ignore[attr-defined]
        (lambda: Player.name.exists(), {"name": {"$exists": True}}),  # type: ignore[attr-defined]
        (lambda: Player.name.exists(False), {"name": {"$exists": False}}),  # type: ignore[attr-defined]
        (lambda: Player.tags.all_(["a", "b"]), {"tags": {"$all": ["a", "b"]}}),  # type: ignore[attr-defined]
        (lambda: Player.tags.size(2), {"tags": {"$size": 2}}),  # type: ignore[attr-defined]
        (lambda: Player.nick == "n", {"nk": {"$eq": "n"}}),
    ],
)
def test_field_proxy_operators(expr: Callable[[], object], expected: dict[str, Any]) -> None:
    q = expr()
    assert isinstance(q, QueryExpression)
    assert q == expected


@pytest.mark.parametrize(
    "function, operator",
    [(eq, "$eq"), (ne, "$ne"), (gt, "$gt"), (gte, "$gte"), (lt, "$lt"), (lte, "$lte")],
)
def test_comparison_functions(
    function: Callable[[Any, Any], QueryExpression], operator: str
) -> None:
    assert function(Player.level, 3) == {"level": {operator: 3}}
    assert function(Player.nick, "a") == {"nk": {operator: "a"}}
    assert function("raw.key", 3) == {"raw.key": {operator: 3}}


def test_in_not_in_functions() -> None:
    assert in_(Player.name, ["a", "b"]) == {"name": {"$in": ["a", "b"]}}
    assert not_in(Player.name, {"a"}) == {"name": {"$nin": ["a"]}}
    assert in_(Player.level, range(3)) == {"level": {"$in": [0, 1, 2]}}


def test_in_refuses_str_and_non_iterables() -> None:
    with pytest.raises(TypeError):
        Player.name.in_("abc")  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        Player.level.in_(3)  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        Player.name.not_in("abc")  # type: ignore[attr-defined]


def test_match_str_and_compiled_pattern() -> None:
    assert match(Player.name, "^a.*z$") == {"name": {"$regex": "^a.*z$"}}
    pattern = re.compile("^ab", re.IGNORECASE)
    q = Player.name.match(pattern)  # type: ignore[attr-defined]
    value = q["name"]
    if isinstance(value, dict):
        value = value["$regex"]
    assert value.pattern == "^ab"
    assert value.flags & re.IGNORECASE
    # a compiled pattern survives BSON encoding as a regex with its flags
    decoded = bson.decode(bson.encode(dict(q)))
    regex = decoded["name"] if not isinstance(decoded["name"], dict) else decoded["name"]["$regex"]
    assert isinstance(regex, bson.regex.Regex)
    assert regex.pattern == "^ab"
    assert regex.flags & re.IGNORECASE


def test_match_refuses_other_types() -> None:
    with pytest.raises(TypeError):
        Player.name.match(3)  # type: ignore[attr-defined]


def test_exists_all_size_functions() -> None:
    assert exists(Player.tags) == {"tags": {"$exists": True}}
    assert all_(Player.tags, ("x",)) == {"tags": {"$all": ["x"]}}
    assert size(Player.lines, 0) == {"ls": {"$size": 0}}
    with pytest.raises(TypeError):
        size(Player.tags, -1)
    with pytest.raises(TypeError):
        size(Player.tags, True)
    with pytest.raises(TypeError):
        all_(Player.tags, "ab")


def test_elem_match_on_list_of_embedded_models() -> None:
    q = Player.lines.elem_match(Line.sku == "a", Line.qty > 2)  # type: ignore[attr-defined]
    assert q == {"ls": {"$elemMatch": {"sku": {"$eq": "a"}, "q": {"$gt": 2}}}}
    assert elem_match(Player.lines, Line.qty >= 1) == {"ls": {"$elemMatch": {"q": {"$gte": 1}}}}


def test_elem_match_same_key_twice_uses_and() -> None:
    q = Player.lines.elem_match(Line.qty > 1, Line.qty < 5)  # type: ignore[attr-defined]
    inner = q["ls"]["$elemMatch"]
    assert inner == {"$and": ({"q": {"$gt": 1}}, {"q": {"$lt": 5}})}


def test_elem_match_needs_queries() -> None:
    with pytest.raises(TypeError):
        Player.lines.elem_match()  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        Player.lines.elem_match(True)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- values


def test_operator_lookalike_values_stay_data() -> None:
    assert (Player.name == "$where") == {"name": {"$eq": "$where"}}  # type: ignore[comparison-overlap]
    assert (Player.meta == {"$ne": 1}) == {"meta": {"$eq": {"$ne": 1}}}  # type: ignore[comparison-overlap]
    assert in_(Player.name, ["$where", "$gt"]) == {"name": {"$in": ["$where", "$gt"]}}


def test_query_values_go_through_the_field_type() -> None:
    with pytest.raises(TypeError, match=r"Player\.name: \{'\$exists': False\} cannot be compared"):
        Player.name != {"$exists": False}  # type: ignore[comparison-overlap]  # noqa: B015
    with pytest.raises(TypeError, match=r"Player\.name: \{'\$gt': ''\} cannot be compared"):
        in_(Player.name, ["$where", {"$gt": ""}])


def test_decimal_and_enum_values_converted() -> None:
    assert (Player.score == Decimal("1.5")) == {"score": {"$eq": Decimal128("1.5")}}  # type: ignore[comparison-overlap]
    assert (Player.rank == Level.HIGH) == {"rank": {"$eq": "high"}}  # type: ignore[comparison-overlap]
    assert in_(Player.rank, [Level.LOW, Level.HIGH]) == {"rank": {"$in": ["low", "high"]}}
    bson.encode(dict(Player.score > Decimal("2")))  # type: ignore[call-overload]


def test_embedded_value_uses_document_form() -> None:
    q = Player.address == Address(city="Paris", zip_code="75001")
    assert q == {"address": {"$eq": {"city": "Paris", "zip": "75001"}}}  # type: ignore[comparison-overlap]
    bson.encode(dict(q))  # type: ignore[call-overload]


# --------------------------------------------------------------------------- embedded paths


def test_dotted_embedded_access() -> None:
    assert +Player.address.city == "address.city"  # type: ignore[operator,union-attr]
    assert +Player.address.zip_code == "address.zip"  # type: ignore[operator,union-attr]
    assert +Player.location.address.zip_code == "loc.addr.zip"  # type: ignore[operator,union-attr]
    assert (Player.location.address.city == "X") == {"loc.addr.city": {"$eq": "X"}}  # type: ignore[union-attr]
    assert (Player.lines.qty > 3) == {"ls.q": {"$gt": 3}}  # type: ignore[attr-defined]
    assert asc(Player.address.city) == {"address.city": 1}  # type: ignore[union-attr]


def test_dotted_access_errors() -> None:
    with pytest.raises(AttributeError):
        Player.address.country  # type: ignore[union-attr]  # noqa: B018
    with pytest.raises(AttributeError):
        Player.name.first  # type: ignore[attr-defined]  # noqa: B018


# --------------------------------------------------------------------------- logic


def test_and_or_nor() -> None:
    a = Player.name == "a"
    b = Player.level > 2
    assert and_(a, b) == {"$and": (a, b)}
    assert or_(a, b) == {"$or": (a, b)}
    assert nor_(a, b) == {"$nor": (a, b)}
    assert nor_(a) == {"$nor": (a,)}
    assert (a & b) == {"$and": (a, b)}  # type: ignore[comparison-overlap]
    assert (a | b) == {"$or": (a, b)}  # type: ignore[comparison-overlap]
    assert isinstance(a & b, QueryExpression)
    assert isinstance(a | b, QueryExpression)


def test_and_or_flatten() -> None:
    a, b, c = Player.name == "a", Player.level > 2, Player.tags.size(1)  # type: ignore[attr-defined]
    assert (a & b & c) == {"$and": (a, b, c)}
    assert (a | b | c) == {"$or": (a, b, c)}
    assert ((a | b) & c) == {"$and": ({"$or": (a, b)}, c)}


def test_and_or_accept_raw_dicts() -> None:
    assert and_({"name": "a"}, Player.level > 1) == {"$and": ({"name": "a"}, {"level": {"$gt": 1}})}


@pytest.mark.parametrize("combine", [and_, or_, nor_])
def test_logical_refuse_bool(combine: Callable[..., QueryExpression]) -> None:
    with pytest.raises(TypeError):
        combine(Player.name == "a", True)


def test_and_operator_refuses_bool() -> None:
    with pytest.raises(TypeError):
        (Player.name == "a") & True  # pyright: ignore[reportUnusedExpression]


def test_build_filter() -> None:
    a = Player.name == "a"
    b = Player.level > 2
    assert build_filter([]) == {}
    assert build_filter([a]) == a  # type: ignore[comparison-overlap]
    assert build_filter([a, b]) == {"$and": (a, b)}
    assert build_filter([{"name": "raw"}]) == {"name": "raw"}


@pytest.mark.parametrize("value", [True, False])
def test_build_filter_refuses_bare_bool(value: bool) -> None:
    with pytest.raises(TypeError) as info:
        build_filter([value])
    assert "query" in str(info.value)
    with pytest.raises(TypeError):
        build_filter([Player.name == "a", value])


def test_build_filter_refuses_other_types() -> None:
    with pytest.raises(TypeError):
        build_filter(["name"])  # type: ignore[list-item]


# --------------------------------------------------------------------------- sorting


def test_sort_expressions() -> None:
    assert Player.level.asc() == {"level": 1}  # type: ignore[attr-defined]
    assert Player.level.desc() == {"level": -1}  # type: ignore[attr-defined]
    assert asc(Player.nick) == {"nk": 1}
    assert desc(Player.nick) == {"nk": -1}
    assert isinstance(Player.level.desc(), SortExpression)  # type: ignore[attr-defined]


def test_build_sort() -> None:
    assert build_sort(None) is None
    assert build_sort(Player.name) == [("name", 1)]
    assert build_sort(desc(Player.level)) == [("level", -1)]
    assert build_sort((desc(Player.level), Player.nick)) == [("level", -1), ("nk", 1)]
    with pytest.raises(TypeError):
        build_sort(3)


# --------------------------------------------------------------------------- key names


def test_key_name_operators() -> None:
    assert +Player.name == "name"  # type: ignore[operator]
    assert +Player.nick == "nk"  # type: ignore[operator]
    assert ++Player.nick == "$nk"  # type: ignore[operator]  # noqa: B002
    assert ++Player.location.address.zip_code == "$loc.addr.zip"  # type: ignore[operator,union-attr]  # noqa: B002
    assert +Player.id == "_id"  # type: ignore[operator]
    assert ++Player.id == "$_id"  # type: ignore[operator]  # noqa: B002
    assert +Player == "player"
    assert +Member.team == "team_id"  # type: ignore[operator]


# --------------------------------------------------------------------------- references


def test_reference_allowed_operators() -> None:
    team = Team(name="t")
    other = Team(name="u")
    assert (Member.team == team) == {"team_id": {"$eq": team.id}}  # type: ignore[comparison-overlap]
    assert (Member.team != team) == {"team_id": {"$ne": team.id}}  # type: ignore[comparison-overlap]
    assert Member.team.in_([team, other]) == {"team_id": {"$in": [team.id, other.id]}}  # type: ignore[attr-defined]
    assert Member.team.not_in([team]) == {"team_id": {"$nin": [team.id]}}  # type: ignore[attr-defined]
    assert (Member.team == team.id) == {"team_id": {"$eq": team.id}}  # type: ignore[comparison-overlap]


@pytest.mark.parametrize(
    "build",
    [
        lambda t: Member.team > t,
        lambda t: Member.team >= t,
        lambda t: Member.team < t,
        lambda t: Member.team <= t,
        lambda t: Member.team.gt(t),  # type: ignore[attr-defined]
        lambda t: Member.team.lte(t),  # type: ignore[attr-defined]
        lambda t: Member.team.match("x"),  # type: ignore[attr-defined]
        lambda t: Member.team.all_([t]),  # type: ignore[attr-defined]
        lambda t: Member.team.size(1),  # type: ignore[attr-defined]
        lambda t: Member.team.elem_match(Team.name == "x"),  # type: ignore[attr-defined]
    ],
)
def test_reference_other_operators_refused(build: Callable[[Team], object]) -> None:
    team = Team(name="t")
    with pytest.raises(AttributeError, match="not allowed for ODMReference fields") as info:
        build(team)
    assert "Member.team is a reference" in str(info.value)


def test_a_name_the_referenced_model_lacks_is_refused() -> None:
    with pytest.raises(AttributeError, match="Member.team is a reference to Team, which has no"):
        Member.team.nickname  # type: ignore[attr-defined]  # noqa: B018  # pyright: ignore[reportAttributeAccessIssue]


# --------------------------------------------------------------------------- indexes


def test_index_to_index_model() -> None:
    idx = Index(Player.name, desc(Player.level), unique=True, name="by_name", sparse=True)
    model = idx.to_index_model()
    assert isinstance(model, pymongo.IndexModel)
    doc = model.document
    assert list(doc["key"].items()) == [("name", 1), ("level", -1)]
    assert doc["unique"] is True
    assert doc["name"] == "by_name"
    assert doc["sparse"] is True


def test_index_key_names_and_defaults() -> None:
    doc = Index(Player.nick, asc(Player.address.zip_code)).to_index_model().document  # type: ignore[union-attr]
    assert list(doc["key"].items()) == [("nk", 1), ("address.zip", 1)]
    assert "unique" not in doc
    assert doc["name"] == "nk_1_address.zip_1"


def test_index_errors() -> None:
    with pytest.raises(TypeError):
        Index()
    with pytest.raises(TypeError):
        Index("name")
    with pytest.raises(TypeError):
        Index(3)


class Indexed(Model):
    model_config = ODMConfigDict(
        indexes=lambda: [
            Index(Indexed.a, desc(Indexed.b), name="ab"),
            pymongo.IndexModel([("c", pymongo.TEXT)], name="text_c"),
        ]
    )
    a: str = Field(index=True)
    b: int = Field(default=0, unique=True, key_name="bb")
    c: str = ""
    d: str = Field(default="", primary_field=False)


def test_indexes_of() -> None:
    docs = [m.document for m in indexes_of(Indexed.__odmantic_schema__)]
    assert all(isinstance(m, pymongo.IndexModel) for m in indexes_of(Indexed.__odmantic_schema__))
    keys = [list(d["key"].items()) for d in docs]
    assert keys == [
        [("a", 1)],
        [("bb", 1)],
        [("a", 1), ("bb", -1)],
        [("c", "text")],
    ]
    assert "unique" not in docs[0]
    assert docs[1]["unique"] is True
    assert docs[2]["name"] == "ab"
    assert docs[3]["name"] == "text_c"


def test_indexes_of_model_without_indexes() -> None:
    assert indexes_of(Team.__odmantic_schema__) == []


def test_primary_unique_field_not_duplicated_in_indexes() -> None:
    class PrimaryIndexed(Model):
        code: str = Field(primary_field=True, unique=True)

    assert indexes_of(PrimaryIndexed.__odmantic_schema__) == []


def test_build_filter_uses_the_primary_key_fast_path() -> None:
    from bson import ObjectId

    from odmantic.query import build_filter

    oid = ObjectId()
    assert build_filter((Player.id == oid,)) == {"_id": oid}
    assert build_filter(({"_id": {"$eq": {"$ne": 1}}},)) == {"_id": {"$eq": {"$ne": 1}}}
    assert build_filter((Player.name == "x",)) == {"name": {"$eq": "x"}}


def test_with_bson_serializer_values_are_queried_in_their_bson_form() -> None:
    from typing import Any

    from odmantic.bson import WithBsonSerializer
    from odmantic.query import to_query_value

    class Upper(str, WithBsonSerializer):
        @classmethod
        def __bson__(cls, value: Any) -> Any:
            return value.upper()

    assert to_query_value(Upper("abc")) == "ABC"
    assert to_query_value([Upper("x")]) == ["X"]


def test_operator_argument_errors_name_the_field() -> None:
    with pytest.raises(TypeError, match=r"in_\(\) on 'name' takes a list"):
        Player.name.in_("ab")  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match=r"size\(\) on 'tags' takes a non-negative int"):
        Player.tags.size(-1)  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match=r"match\(\) on 'name' takes a str"):
        Player.name.match(3)  # type: ignore[attr-defined]
