"""Guide: sessions and transactions (docs/guides/sessions.md shows each section and its
output; the test compares what this prints with the guide's output blocks)."""

from __future__ import annotations

# --8<-- [start:imports]
from odmantic import AIOEngine, Model
from odmantic.session import AIOTransaction

# --8<-- [end:imports]


# --8<-- [start:model]
class Account(Model):
    model_config = {"collection": "guide_accounts"}

    owner: str
    balance: int = 0
    # --8<-- [end:model]


async def main(engine: AIOEngine) -> None:
    """Every section of the sessions guide, in order."""
    await engine.save_all([Account(owner="alice", balance=100), Account(owner="bob")])

    # --8<-- [start:session]
    async with engine.session() as session:
        alice = await session.find_one(Account, Account.owner == "alice")
        assert alice is not None
        alice.balance += 5
        await session.save(alice)
        print(await session.count(Account), alice.balance)
    # --8<-- [end:session]

    # --8<-- [start:transaction]
    async with engine.transaction() as transaction:
        alice.balance -= 10
        await transaction.save(alice)
    # the block exited normally: the transaction is committed
    stored = await engine.find_one(Account, Account.owner == "alice")
    print(stored.balance if stored else None)
    # --8<-- [end:transaction]

    # --8<-- [start:abort]
    try:
        async with engine.transaction() as transaction:
            alice.balance = 0
            await transaction.save(alice)
            raise RuntimeError("the payment was refused")
    except RuntimeError:
        pass
    stored = await engine.find_one(Account, Account.owner == "alice")
    print(stored.balance if stored else None, alice.__fields_modified__)
    # --8<-- [end:abort]

    # --8<-- [start:with_transaction]
    async def transfer(transaction: AIOTransaction) -> int:
        source = await transaction.find_one(Account, Account.owner == "alice")
        target = await transaction.find_one(Account, Account.owner == "bob")
        assert source is not None and target is not None
        source.balance, target.balance = source.balance - 30, target.balance + 30
        await transaction.save_all([source, target])
        return target.balance

    print(await engine.with_transaction(transfer))
    # --8<-- [end:with_transaction]
