"""Who takes a model release: all stores, a list, or a stable canary share."""

import pytest

from aiwebpos_contracts.releases import Rollout, in_rollout, signing_payload

STORES = [f"S{i:03d}" for i in range(2000)]


def test_all_and_a_list() -> None:
    assert in_rollout(Rollout(), "MSU-01", "aiwebpos-fraud")
    chosen = Rollout(mode="stores", stores=["MSU-01"])
    assert in_rollout(chosen, "MSU-01", "aiwebpos-fraud")
    assert not in_rollout(chosen, "TY-02", "aiwebpos-fraud")


@pytest.mark.parametrize("share", [0.1, 0.25, 0.5])
def test_a_canary_takes_about_its_share_of_the_stores(share: float) -> None:
    taken = sum(in_rollout(Rollout(mode="canary", share=share), s, "aiwebpos-fraud") for s in STORES)
    assert abs(taken / len(STORES) - share) < 0.03


def test_a_widening_canary_keeps_the_stores_it_had() -> None:
    small = {s for s in STORES if in_rollout(Rollout(mode="canary", share=0.1), s, "aiwebpos-forecast")}
    wider = {s for s in STORES if in_rollout(Rollout(mode="canary", share=0.3), s, "aiwebpos-forecast")}
    assert small and small < wider


def test_the_signed_payload_names_the_model_and_its_version() -> None:
    one = signing_payload("aiwebpos-fraud", "3", "aiwebpos-bundle/1+tar", "ab" * 32)
    assert one != signing_payload("aiwebpos-forecast", "3", "aiwebpos-bundle/1+tar", "ab" * 32)
    assert one != signing_payload("aiwebpos-fraud", "4", "aiwebpos-bundle/1+tar", "ab" * 32)
