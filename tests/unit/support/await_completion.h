// Blocks a test until a Store-style completion callback fires.
#pragma once

#include <chrono>
#include <future>
#include <stdexcept>

#include "core/error.h"

namespace postern::test {

// await_completion<T>([&](auto done) { store.enqueue(msg, done); })
template <class T, class Start>
Result<T> await_completion(Start start, std::chrono::seconds timeout = std::chrono::seconds(10)) {
  auto promise = std::make_shared<std::promise<Result<T>>>();
  auto future = promise->get_future();
  start([promise](Result<T> r) { promise->set_value(std::move(r)); });
  if (future.wait_for(timeout) != std::future_status::ready)
    throw std::runtime_error("completion timed out");
  return future.get();
}

}  // namespace postern::test
