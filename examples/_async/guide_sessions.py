"""Guide: sessions and transactions."""

from __future__ import annotations

from odmantic import AIOEngine, Model
from odmantic.session import AIOTransaction


class Account(Model):
    model_config = {"collection": "guide_accounts"}

    owner: str
    balance: int = 0


async def main(engine: AIOEngine) -> None:
    """A session, a transaction committed by its block, and with_transaction with
    retries."""
    alice, bob = await engine.save_all(
        [Account(owner="alice", balance=100), Account(owner="bob")]
    )
    async with engine.session() as session:
        assert await session.count(Account) == 2

    async with (
        engine.transaction() as transaction
    ):  # committed when the block exits normally
        alice.balance -= 10
        await transaction.save(alice)

    async def transfer(transaction: AIOTransaction) -> int:
        source = await transaction.find_one(Account, Account.owner == "alice")
        target = await transaction.find_one(Account, Account.owner == "bob")
        assert source is not None and target is not None
        source.balance, target.balance = source.balance - 30, target.balance + 30
        await transaction.save_all([source, target])
        return target.balance

    assert await engine.with_transaction(transfer) == 30  # retried on transient errors
    stored = await engine.find_one(Account, Account.id == alice.id)
    assert stored is not None and stored.balance == 60
