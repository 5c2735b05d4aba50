# generated from examples/_async/guide_sessions.py by codegen; do not edit
"""Guide: sessions and transactions (docs/guides/sessions.md shows each section and its
output; the test compares what this prints with the guide's output blocks)."""

from __future__ import annotations

# --8<-- [start:imports]
from odmantic import Model, SyncEngine
from odmantic.session import SyncTransaction

# --8<-- [end:imports]


# --8<-- [start:model]
class Account(Model):
    model_config = {"collection": "guide_accounts"}

    owner: str
    balance: int = 0
    # --8<-- [end:model]


def main(engine: SyncEngine) -> None:
    """Every section of the sessions guide, in order."""
    engine.save_all([Account(owner="alice", balance=100), Account(owner="bob")])

    # --8<-- [start:session]
    with engine.session() as session:
        alice = session.find_one(Account, Account.owner == "alice")
        assert alice is not None
        alice.balance += 5
        session.save(alice)
        print(session.count(Account), alice.balance)
    # --8<-- [end:session]

    # --8<-- [start:transaction]
    with engine.transaction() as transaction:
        alice.balance -= 10
        transaction.save(alice)
    # the block exited normally: the transaction is committed
    stored = engine.find_one(Account, Account.owner == "alice")
    print(stored.balance if stored else None)
    # --8<-- [end:transaction]

    # --8<-- [start:abort]
    try:
        with engine.transaction() as transaction:
            alice.balance = 0
            transaction.save(alice)
            raise RuntimeError("the payment was refused")
    except RuntimeError:
        pass
    stored = engine.find_one(Account, Account.owner == "alice")
    print(stored.balance if stored else None, alice.__fields_modified__)
    # --8<-- [end:abort]

    # --8<-- [start:with_transaction]
    def transfer(transaction: SyncTransaction) -> int:
        source = transaction.find_one(Account, Account.owner == "alice")
        target = transaction.find_one(Account, Account.owner == "bob")
        assert source is not None and target is not None
        source.balance, target.balance = source.balance - 30, target.balance + 30
        transaction.save_all([source, target])
        return target.balance

    print(engine.with_transaction(transfer))
    # --8<-- [end:with_transaction]
