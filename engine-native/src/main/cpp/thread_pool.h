// Runs work items 0..count-1 on `threads` std::threads (the caller's thread is one of them).
#pragma once
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace emodir {

// The first exception thrown by any item is rethrown on the calling thread after all workers stop.
template <class Fn>
void parallel_for(int count, int threads, Fn fn) {
    std::atomic<int> next{0};
    std::exception_ptr failure;
    std::mutex failure_lock;
    auto worker = [&](int tid) {
        try {
            for (int i = next.fetch_add(1); i < count; i = next.fetch_add(1)) fn(tid, i);
        } catch (...) {
            std::lock_guard<std::mutex> g(failure_lock);
            if (!failure) failure = std::current_exception();
            next.store(count);
        }
    };
    int extra = threads - 1 < count - 1 ? threads - 1 : count - 1;
    std::vector<std::thread> pool;
    for (int t = 0; t < extra; ++t) pool.emplace_back(worker, t + 1);
    worker(0);
    for (auto& t : pool) t.join();
    if (failure) std::rethrow_exception(failure);
}

}  // namespace emodir
