// Waits on the caller's thread for a store write's durable answer: for
// threads of their own (retention, the inbox's expiry, the CLI's commands)
// that have nothing else to do meanwhile. Never on an I/O thread.
#pragma once

#include <future>

#include "core/error.h"

namespace postern::store {

// await_write<std::size_t>([&](auto done) { store.purge_ended(before, n, done); })
template <class T, class Start>
Result<T> await_write(Start start) {
  std::promise<Result<T>> done;
  auto answer = done.get_future();
  start([&done](Result<T> r) { done.set_value(std::move(r)); });
  return answer.get();
}

}  // namespace postern::store
