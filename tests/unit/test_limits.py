"""Telegram sending limits: per chat, per group, overall."""

from __future__ import annotations

import pytest

from handlers.telegram.limits import Bucket, Limiter, TelegramLimits


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_private_chat_allows_a_burst_then_one_a_second() -> None:
    clock = FakeClock()
    limiter = Limiter(TelegramLimits(), clock)
    waits = [limiter._chat(42).wait_time() for _ in range(4)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3] == pytest.approx(1.0)
    clock.t += 1.0
    assert limiter._chat(42).wait_time() == 0.0


def test_group_chat_twenty_a_minute() -> None:
    clock = FakeClock()
    limiter = Limiter(TelegramLimits(), clock)
    group = limiter._chat(-100)
    assert [group.wait_time() for _ in range(5)] == [0.0] * 5
    assert group.wait_time() == pytest.approx(3.0)  # 60 s / 20


def test_overall_thirty_a_second_across_chats() -> None:
    clock = FakeClock()
    bucket = Bucket(30, 30, clock)
    assert all(bucket.wait_time() == 0.0 for _ in range(30))
    assert bucket.wait_time() == pytest.approx(1 / 30)


def test_unlimited_never_waits() -> None:
    limiter = Limiter(TelegramLimits.unlimited(), FakeClock())
    assert all(limiter._chat(1).wait_time() == 0.0 for _ in range(1000))
