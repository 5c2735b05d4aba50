"""A polymorphic collection shared by both twins' tests: vehicles of three kinds."""

from __future__ import annotations

from odmantic import Field, Model, Reference, before_delete


class Vehicle(Model):
    model_config = {"collection": "poly_vehicles", "polymorphic": True}

    name: str
    km: int = 0


class Car(Vehicle):
    doors: int = Field(default=4, index=True)


class SportsCar(Car):
    top_speed: int = 300


class Truck(Vehicle):
    model_config = {"type_name": "truck"}

    load: float = 0.0


class Garage(Model):
    model_config = {"collection": "poly_garages"}

    main: Vehicle = Reference()
    fleet: list[Vehicle] = Reference(default_factory=list)


class Bike(Vehicle):
    serial: str | None = Field(default=None, unique=True)

    @before_delete
    def keep(self) -> None:
        raise PermissionError("bikes are kept")


class Parking(Model):
    model_config = {"collection": "poly_parkings"}

    spot: int
    vehicle: Vehicle = Reference(on_delete="cascade")
