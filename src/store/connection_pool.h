// A fixed set of reader connections (each with its prepared statements)
// shared by all threads; borrowing blocks while all are in use. Used by
// both backends with their own connection type.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "core/error.h"

namespace postern::store {

template <class R>
class ConnectionPool {
 public:
  // `size` connections made by `open`.
  static Result<std::unique_ptr<ConnectionPool>> open(
      std::size_t size, const std::function<Result<std::unique_ptr<R>>()>& open) {
    auto pool = std::make_unique<ConnectionPool>();
    for (std::size_t i = 0; i < size; ++i) {
      auto r = open();
      if (!r) return r.error();
      pool->idle_.push_back(std::move(*r));
    }
    return pool;
  }

  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<R> reader)
        : pool_(pool), reader_(std::move(reader)) {}
    ~Lease() { pool_.give_back(std::move(reader_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    R* operator->() { return reader_.get(); }

   private:
    ConnectionPool& pool_;
    std::unique_ptr<R> reader_;
  };

  Lease borrow() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !idle_.empty(); });
    auto r = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(r));
  }

 private:
  void give_back(std::unique_ptr<R> reader) {
    {
      std::lock_guard lock(mu_);
      idle_.push_back(std::move(reader));
    }
    cv_.notify_one();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<R>> idle_;  // guarded by mu_
};

}  // namespace postern::store
