#include "net/io_runtime.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <string>

namespace postern::net {

namespace asio = boost::asio;

// Handlers pending on one context can own I/O objects of another (a probe's
// timer lives on one thread, the HTTP request that answers it on another).
// Destroying the contexts one by one let the leftovers of a later one touch
// the timer service of one already destroyed (a use-after-free ASan caught at
// shutdown). So at the end every context first drops its pending handlers,
// while the services of all of them still exist (see ~IoRuntime).
struct IoRuntime::Context : asio::io_context {
  explicit Context(int concurrency_hint) : asio::io_context(concurrency_hint) {}
  using asio::execution_context::shutdown;  // destroys pending handlers; idempotent
};

struct IoRuntime::Guards {
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
};

IoRuntime::IoRuntime(unsigned threads) : guards_(std::make_unique<Guards>()) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < threads; ++i) {
    // Concurrency hint 1: each context is run by exactly one thread.
    contexts_.push_back(std::make_unique<Context>(1));
    guards_->guards.push_back(asio::make_work_guard(*contexts_.back()));
  }
}

IoRuntime::~IoRuntime() {
  stop();
  for (auto& c : contexts_) c->shutdown();
}

asio::io_context& IoRuntime::context(std::size_t i) { return *contexts_.at(i); }

asio::io_context& IoRuntime::next() { return *contexts_[next_.fetch_add(1) % contexts_.size()]; }

void IoRuntime::start() {
  for (std::size_t i = 0; i < contexts_.size(); ++i) {
    threads_.emplace_back([this, i] {
      pthread_setname_np(pthread_self(), ("io-" + std::to_string(i)).c_str());
      for (;;) {
        try {
          contexts_[i]->run();
          return;
        } catch (const std::exception& e) {
          // A handler let an exception escape: log it and keep the thread
          // serving the other connections.
          spdlog::error("io-{}: unhandled exception: {}", i, e.what());
        }
      }
    });
  }
}

void IoRuntime::stop() {
  guards_->guards.clear();
  for (auto& c : contexts_) c->stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace postern::net
