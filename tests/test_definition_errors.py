"""Errors raised at class creation: each names the model and the field at fault."""

from collections.abc import Callable
from typing import Optional

import pydantic
import pytest

from odmantic import EmbeddedModel, Field, Model, Reference
from odmantic.config import ODMConfigDict
from odmantic.exceptions import ModelDefinitionError


class Target(Model):
    name: str


def _assert_names(exc: BaseException, *names: str) -> None:
    message = str(exc)
    for name in names:
        assert name in message, f"{name!r} not in {message!r}"


def test_odm_field_without_annotation() -> None:
    with pytest.raises(TypeError) as info:

        class NoAnnotation(Model):
            x = Field(3)  # type: ignore[pydantic-field]

    _assert_names(info.value, "NoAnnotation", "x")


def test_plain_value_without_annotation() -> None:
    with pytest.raises(TypeError) as info:

        class NoAnnotationPlain(Model):
            name: str
            level = 3  # type: ignore[pydantic-field]

    _assert_names(info.value, "NoAnnotationPlain", "level")


def test_pydantic_field_instead_of_odmantic_field() -> None:
    with pytest.raises(TypeError) as info:

        class UsesPydanticField(Model):
            name: str = pydantic.Field(default="x")

    _assert_names(info.value, "UsesPydanticField", "name", "odmantic.Field")


def test_pydantic_field_in_embedded_model() -> None:
    with pytest.raises(TypeError) as info:

        class EmbPydanticField(EmbeddedModel):
            city: str = pydantic.Field(default="x")

    _assert_names(info.value, "EmbPydanticField", "city")


@pytest.mark.parametrize(
    "annotation",
    [Callable, Callable[[int], int], Optional[Callable[[], None]]],
    ids=["bare", "parametrized", "optional"],
)
def test_callable_field(annotation: object) -> None:
    with pytest.raises(TypeError) as info:
        type(
            "HasCallable",
            (Model,),
            {"__annotations__": {"fn": annotation}, "__module__": __name__},
        )
    _assert_names(info.value, "HasCallable", "fn")


def test_same_key_name_twice() -> None:
    with pytest.raises(ValueError) as info:

        class Clash(Model):
            a: int = Field(key_name="k")
            b: int = Field(key_name="k")

    _assert_names(info.value, "Clash", "a", "b", "k")


def test_key_name_equal_to_other_field_name() -> None:
    with pytest.raises(ValueError) as info:

        class Clash2(Model):
            a: int
            b: int = Field(key_name="a")

    _assert_names(info.value, "Clash2", "a", "b")


def test_same_key_name_in_embedded_model() -> None:
    with pytest.raises(ValueError) as info:

        class EmbClash(EmbeddedModel):
            a: int = Field(key_name="k")
            b: int = Field(key_name="k")

    _assert_names(info.value, "EmbClash", "k")


@pytest.mark.parametrize("key", ["$x", "$", "a.b", ".a", "a."])
def test_invalid_key_names(key: str) -> None:
    with pytest.raises(ValueError) as info:

        class BadKey(Model):
            field_a: int = Field(key_name=key)

    _assert_names(info.value, "BadKey", "field_a", key)


def test_invalid_key_name_in_embedded_model() -> None:
    with pytest.raises(ValueError) as info:

        class BadEmbKey(EmbeddedModel):
            field_b: int = Field(key_name="$b")

    _assert_names(info.value, "BadEmbKey", "field_b")


def test_invalid_reference_key_name() -> None:
    with pytest.raises(ValueError) as info:

        class BadRefKey(Model):
            target: Target = Reference(key_name="t.x")

    _assert_names(info.value, "BadRefKey", "target")


@pytest.mark.parametrize(
    "collection",
    ["", "a$b", "system.users", "nul\x00name", "a..b", ".starts", "ends."],
)
def test_invalid_collection_names(collection: str) -> None:
    with pytest.raises(ValueError) as info:

        class BadCollection(Model):
            model_config = ODMConfigDict(collection=collection)
            x: int

    _assert_names(info.value, "BadCollection")


def test_collection_name_must_be_str() -> None:
    with pytest.raises(ValueError) as info:

        class BadCollectionType(Model):
            model_config = ODMConfigDict(collection=3)  # type: ignore[typeddict-item]
            x: int

    _assert_names(info.value, "BadCollectionType", "collection")


def test_model_field_without_reference() -> None:
    with pytest.raises(TypeError) as info:

        class NoReference(Model):
            target: Target

    _assert_names(info.value, "NoReference", "target", "Reference")


def test_optional_model_field_without_reference() -> None:
    with pytest.raises(TypeError) as info:

        class NoReferenceOpt(Model):
            target: Optional[Target] = None

    _assert_names(info.value, "NoReferenceOpt", "target")


def test_model_field_in_embedded_model_without_reference() -> None:
    with pytest.raises(TypeError) as info:

        class EmbNoReference(EmbeddedModel):
            target: Target

    _assert_names(info.value, "EmbNoReference", "target")


def test_list_of_models() -> None:
    with pytest.raises(TypeError) as info:

        class ListOfModels(Model):
            targets: list[Target] = []

    _assert_names(info.value, "ListOfModels", "targets")


def test_reference_on_non_model_type() -> None:
    with pytest.raises(TypeError) as info:

        class RefToInt(Model):
            target: int = Reference()

    _assert_names(info.value, "RefToInt", "target")


def test_primary_field_in_embedded_model() -> None:
    with pytest.raises(TypeError) as info:

        class EmbPrimary(EmbeddedModel):
            key: str = Field(primary_field=True)

    _assert_names(info.value, "EmbPrimary", "key")


def test_key_name__id_without_primary_field() -> None:
    # Raised by the Field() call, as ODMantic 1.1 does: the model is not known yet.
    with pytest.raises(ValueError) as info:
        Field(key_name="_id")

    _assert_names(info.value, "key_name='_id'", "primary")


def test_key_name__id_with_primary_field_is_fine() -> None:
    class UnderscoreIdOk(Model):
        ident: str = Field(key_name="_id", primary_field=True)

    assert UnderscoreIdOk(ident="a").model_dump_doc() == {"_id": "a"}


def test_id_field_without_primary_field() -> None:
    with pytest.raises(TypeError) as info:

        class ShadowId(Model):
            id: int  # type: ignore[assignment]

    _assert_names(info.value, "ShadowId", "id")


def test_two_primary_fields() -> None:
    with pytest.raises(ModelDefinitionError) as info:

        class TwoPrimaries(Model):
            a: str = Field(primary_field=True)
            b: str = Field(primary_field=True)

    _assert_names(info.value, "TwoPrimaries")


@pytest.mark.parametrize("key", ["strict", "frozen_fields", "from_attributes", "whatever"])
def test_unknown_model_config_key(key: str) -> None:
    with pytest.raises(ValueError) as info:

        class UnknownConfig(Model):
            model_config = {key: True}  # type: ignore[misc]
            x: int

    _assert_names(info.value, "UnknownConfig", key)


def test_unknown_model_config_key_in_embedded_model() -> None:
    with pytest.raises(ValueError) as info:

        class UnknownEmbConfig(EmbeddedModel):
            model_config = {"strict": True}
            x: int

    _assert_names(info.value, "UnknownEmbConfig", "strict")


def test_validate_assignment_cannot_be_disabled() -> None:
    with pytest.raises(ValueError) as info:

        class NoValidateAssignment(Model):
            model_config = {"validate_assignment": False}
            x: int

    _assert_names(info.value, "NoValidateAssignment", "validate_assignment")


def test_allowed_config_keys_accepted() -> None:
    class AllowedConfig(Model):
        model_config = ODMConfigDict(
            title="T",
            json_schema_extra={"example": {"x": 1}},
            str_strip_whitespace=True,
            arbitrary_types_allowed=True,
            extra="ignore",
            json_encoders={},
            collection="allowed",
            parse_doc_with_default_factories=True,
            indexes=lambda: [],
        )
        x: str

    assert AllowedConfig(x=" a ").x == "a"
    assert +AllowedConfig == "allowed"
    assert AllowedConfig.model_json_schema()["title"] == "T"


def test_indexes_config_must_be_callable() -> None:
    with pytest.raises(ValueError) as info:

        class NotCallableIndexes(Model):
            model_config = ODMConfigDict(indexes=[])  # type: ignore[typeddict-item]
            x: int

    _assert_names(info.value, "NotCallableIndexes", "indexes")


def test_field_default_and_default_factory() -> None:
    with pytest.raises(TypeError):
        Field(default=1, default_factory=list)


def test_const_without_default() -> None:
    with pytest.raises(TypeError):
        Field(const=True)


def test_reference_inside_an_embedded_model_is_accepted() -> None:
    from odmantic import EmbeddedModel, Model, Reference

    class Target(Model):
        name: str

    class Holder(EmbeddedModel):  # as ODMantic 1.1
        target: Target = Reference()

    target = Target(name="t")
    assert Holder(target=target).model_dump_doc() == {"target": target.id}


def test_definition_errors_are_both_type_and_value_errors() -> None:
    from odmantic import Field, Model
    from odmantic.exceptions import ModelDefinitionError

    for expected in (TypeError, ValueError, ModelDefinitionError):
        with pytest.raises(expected, match=r"Twice: fields 'a' and 'b' have the same key_name"):

            class Twice(Model):
                a: int = Field(key_name="k")
                b: int = Field(key_name="k")
