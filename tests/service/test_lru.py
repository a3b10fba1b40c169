"""The bounded map behind the per-process caches (service/lru.py)."""
import threading

from service.lru import LRU


def test_keeps_at_most_max_entries_and_drops_the_least_recently_used():
    cache: LRU[str] = LRU(2)
    cache.put("a", "1")
    cache.put("b", "2")
    assert cache.get("a") == "1"  # a is now the most recent
    cache.put("c", "3")
    assert cache.get("b") is None
    assert (cache.get("a"), cache.get("c"), len(cache)) == ("1", "3", 2)


def test_a_rewritten_key_becomes_the_most_recent():
    cache: LRU[str] = LRU(2)
    cache.put("a", "1")
    cache.put("b", "2")
    cache.put("a", "1'")
    cache.put("c", "3")
    assert (cache.get("a"), cache.get("b")) == ("1'", None)


def test_clear_forgets_everything():
    cache: LRU[int] = LRU(4)
    cache.put("a", 1)
    cache.clear()
    assert cache.get("a") is None and len(cache) == 0


def test_threads_never_push_it_over_its_bound():
    cache: LRU[int] = LRU(64)

    def fill(start):
        for i in range(start, start + 2000):
            cache.put(i, i)
            cache.get(i - 1)

    threads = [threading.Thread(target=fill, args=(n * 10_000,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache) == 64
