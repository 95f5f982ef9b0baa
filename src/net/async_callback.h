// The one bridge from Postern's callback interfaces (the store's and the
// intake's Completion, a provider's send, an HTTP handler's Responder, a
// response stream: a std::function called once, from any thread) to code
// that lives on one executor (an I/O thread's coroutines, the dispatcher).
// A template, hence a header; it pulls in only Asio's light headers, none of
// its I/O objects.
#pragma once

#include <atomic>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <optional>
#include <utility>

namespace postern::net {

// Returns a copyable callable that may be called from any thread: each call
// posts one run of `fn` on `executor`, with the call's arguments moved (or
// copied, for lvalues) into it. Posted, never run inline, so `fn` runs after
// the caller returns, on the executor's thread, however the call was made.
// Requires: `fn` is copyable; it is copied into every run.
template <class Executor, class Fn>
auto run_on(Executor executor, Fn fn) {
  return [executor = std::move(executor), fn = std::move(fn)](auto&&... args) {
    boost::asio::post(executor, [fn, ... args = std::forward<decltype(args)>(args)]() mutable {
      fn(std::move(args)...);
    });
  };
}

namespace detail {

// An operation's completion handler, invoked at most once.
template <class Handler>
class OnceHandler {
 public:
  explicit OnceHandler(Handler handler) : handler_(std::move(handler)) {}

  template <class... Values>
  void complete(Values&&... values) {
    // Callers of a callback interface promise one call; a second one must
    // not resume a coroutine twice.
    if (called_.exchange(true)) return;
    auto handler = std::move(*handler_);
    handler_.reset();
    std::move(handler)(std::forward<Values>(values)...);
  }

 private:
  std::optional<Handler> handler_;
  std::atomic<bool> called_{false};
};

}  // namespace detail

// An Asio asynchronous operation over a callback interface:
//
//   Result<std::size_t> n = co_await net::async_callback<Result<std::size_t>>(
//       [&](auto done) { store.reclaim_leases(owner, now, std::move(done)); });
//
// `start` is called once, when the operation is initiated (for
// use_awaitable: once the coroutine is suspended), with a copyable callback
// `done(Values...)` that it hands to the callback interface.
//
// Contract:
// - `done` may be called from any thread, or inline from within `start`. The
//   completion handler runs on its associated executor (for use_awaitable:
//   the awaiting coroutine's, so the coroutine resumes on its own thread),
//   always posted: never inside `done` or `start`.
// - The values `done` is called with reach the handler by moves alone (an
//   lvalue argument is copied once), so a move-only value works.
// - The first call completes the operation; later calls are ignored.
// - If every copy of `done` is destroyed uncalled, the operation never
//   completes: the handler is destroyed (for use_awaitable, Asio destroys
//   the coroutine's frame on its executor without resuming it).
// - There is no cancellation: cancelling the awaiting coroutine leaves the
//   callback interface running to its answer.
// - No work is counted on the executor while waiting: its owner keeps it
//   running (IoRuntime does, until it stops).
//
// Requires: `start` is movable, and `done(Values...)` fits the callback type
// it is handed to (e.g. std::function<void(Values...)>). A `start` written
// inside a co_await expression captures references only: GCC 12 destroys
// the captures of a lambda written there twice. To capture values, build the
// operation in a plain function that returns it (see http_server.cpp).
template <class... Values, class Start, class Token = const boost::asio::use_awaitable_t<>&>
auto async_callback(Start start, Token&& token = boost::asio::use_awaitable) {
  return boost::asio::async_initiate<Token, void(Values...)>(
      [](auto handler, Start start) {
        auto executor = boost::asio::get_associated_executor(handler);
        auto once = std::make_shared<detail::OnceHandler<decltype(handler)>>(std::move(handler));
        std::move(start)(run_on(std::move(executor), [once](Values&&... values) {
          once->complete(std::move(values)...);
        }));
      },
      token, std::move(start));
}

// Runs `fn()` on `context` (a thread pool: blocking work such as an
// Argon2id check or a large read, off the I/O threads) and completes with
// what it returns, as async_callback does. What `fn` refers to must
// outlive the operation. Build `fn` outside the co_await expression (see
// async_callback on GCC 12).
template <class Value, class Context, class Fn>
auto async_run(Context& context, Fn fn) {
  return async_callback<Value>([&context, fn = std::move(fn)](auto done) mutable {
    boost::asio::post(context,
                      [fn = std::move(fn), done = std::move(done)]() mutable { done(fn()); });
  });
}

}  // namespace postern::net
