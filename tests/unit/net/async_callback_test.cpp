#include "net/async_callback.h"

#include <gtest/gtest.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <functional>
#include <future>
#include <thread>
#include <vector>

namespace postern::net {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;

// An io_context run by a thread of its own, as IoRuntime runs each of its.
class IoThread {
 public:
  IoThread() : thread_([this] { io_.run(); }) {}
  ~IoThread() {
    guard_.reset();
    thread_.join();
  }
  asio::io_context& io() { return io_; }
  std::thread::id id() const { return thread_.get_id(); }
  // Waits until every handler posted before this call has run.
  void drain() { asio::post(io_, asio::use_future).wait(); }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_ = asio::make_work_guard(io_);
  std::thread thread_;
};

template <class T>
T get(std::future<T> f) {
  if (f.wait_for(10s) != std::future_status::ready) throw std::runtime_error("timed out");
  return f.get();
}

class AsyncCallbackTest : public ::testing::Test {
 protected:
  IoThread home_;
};

TEST_F(AsyncCallbackTest, ResumesTheCoroutineOnItsOwnThreadWhenTheCallbackFiresOnAnother) {
  std::promise<std::function<void(int)>> handed_out;
  auto resumed = asio::co_spawn(
      home_.io(),
      [&]() -> awaitable<std::pair<int, std::thread::id>> {
        int value = co_await async_callback<int>([&](auto done) { handed_out.set_value(done); });
        co_return std::pair{value, std::this_thread::get_id()};
      },
      asio::use_future);
  // The callback interface answers on a thread of its own: this one.
  auto done = get(handed_out.get_future());
  done(42);
  auto [value, thread] = get(std::move(resumed));
  EXPECT_EQ(value, 42);
  EXPECT_EQ(thread, home_.id());
  EXPECT_NE(thread, std::this_thread::get_id());
}

TEST_F(AsyncCallbackTest, MovesAValueThatCannotBeCopied) {
  auto resumed = asio::co_spawn(
      home_.io(),
      []() -> awaitable<int> {
        auto p = co_await async_callback<std::unique_ptr<int>>([](auto done) {
          std::thread([done]() mutable { done(std::make_unique<int>(7)); }).join();
        });
        co_return p ? *p : -1;
      },
      asio::use_future);
  EXPECT_EQ(get(std::move(resumed)), 7);
}

TEST_F(AsyncCallbackTest, ACallInsideStartResumesOnlyAfterStartReturns) {
  auto resumed = asio::co_spawn(
      home_.io(),
      []() -> awaitable<std::pair<int, bool>> {
        bool inside_start = false;
        int value = co_await async_callback<int>([&](auto done) {
          inside_start = true;
          done(5);
          inside_start = false;
        });
        co_return std::pair{value, inside_start};
      },
      asio::use_future);
  auto [value, resumed_inside_start] = get(std::move(resumed));
  EXPECT_EQ(value, 5);
  EXPECT_FALSE(resumed_inside_start);
}

TEST_F(AsyncCallbackTest, TheFirstCallCompletesAndLaterOnesAreIgnored) {
  std::vector<int> completions;  // touched on home_'s thread only
  std::function<void(int)> done;
  async_callback<int>([&](auto d) { done = d; },
                      asio::bind_executor(home_.io(), [&](int v) { completions.push_back(v); }));
  done(1);
  done(2);
  auto copy = done;
  copy(3);
  home_.drain();
  EXPECT_EQ(completions, std::vector<int>{1});
}

TEST_F(AsyncCallbackTest, ACallbackDroppedUncalledNeverResumesTheCoroutine) {
  struct FrameProbe {
    std::promise<void>& gone;
    ~FrameProbe() { gone.set_value(); }
  };
  std::promise<void> frame_gone;
  std::atomic<bool> resumed{false};
  asio::co_spawn(
      home_.io(),
      [&]() -> awaitable<void> {
        FrameProbe probe{frame_gone};
        co_await async_callback<int>([](auto done) { (void)done; });
        resumed = true;
      },
      asio::detached);
  // The frame is destroyed (on its executor) without running past co_await.
  get(frame_gone.get_future());
  home_.drain();
  EXPECT_FALSE(resumed);
}

TEST_F(AsyncCallbackTest, APlainHandlerCompletesOnItsAssociatedExecutor) {
  IoThread other;
  std::promise<std::pair<std::string, std::thread::id>> completed;
  async_callback<std::string>(
      [](auto done) { std::thread([done] { done(std::string("answer")); }).join(); },
      asio::bind_executor(other.io(), [&](std::string v) {
        completed.set_value({std::move(v), std::this_thread::get_id()});
      }));
  auto [value, thread] = get(completed.get_future());
  EXPECT_EQ(value, "answer");
  EXPECT_EQ(thread, other.id());
}

TEST_F(AsyncCallbackTest, RunOnRunsEveryCallOnTheExecutorInOrder) {
  std::vector<std::pair<int, std::thread::id>> runs;  // touched on home_'s thread only
  auto callback = run_on(home_.io().get_executor(), [&](int v) {
    runs.push_back({v, std::this_thread::get_id()});
  });
  auto copy = callback;
  std::thread([&] {
    callback(1);
    copy(2);
  }).join();
  home_.drain();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0], std::pair(1, home_.id()));
  EXPECT_EQ(runs[1], std::pair(2, home_.id()));
}

}  // namespace
}  // namespace postern::net
