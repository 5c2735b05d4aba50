# generated from examples/_async/guide_sessions.py by codegen; do not edit
"""Guide: sessions and transactions."""

from __future__ import annotations

from odmantic import Model, SyncEngine
from odmantic.session import SyncTransaction


class Account(Model):
    model_config = {"collection": "guide_accounts"}

    owner: str
    balance: int = 0


def main(engine: SyncEngine) -> None:
    """A session, a transaction committed by its block, and with_transaction with
    retries."""
    alice, bob = engine.save_all(
        [Account(owner="alice", balance=100), Account(owner="bob")]
    )
    with engine.session() as session:
        assert session.count(Account) == 2

    with engine.transaction() as transaction:  # committed when the block exits normally
        alice.balance -= 10
        transaction.save(alice)

    def transfer(transaction: SyncTransaction) -> int:
        source = transaction.find_one(Account, Account.owner == "alice")
        target = transaction.find_one(Account, Account.owner == "bob")
        assert source is not None and target is not None
        source.balance, target.balance = source.balance - 30, target.balance + 30
        transaction.save_all([source, target])
        return target.balance

    assert engine.with_transaction(transfer) == 30  # retried on transient errors
    stored = engine.find_one(Account, Account.id == alice.id)
    assert stored is not None and stored.balance == 60
