// An HTTP poster for tests of the webhook sender: answers each request on
// a thread of its own, as the HTTP client does, after a delay.
#pragma once

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "events/webhook_sender.h"

namespace postern::test {

// Answers each request on its own thread after `delay`, with what
// `answer` says for it; records every request and the most attempts of
// one message ever in flight at once.
class FakePoster {
 public:
  std::function<Result<net::HttpClientResponse>(const net::HttpClientRequest&)> answer =
      [](const net::HttpClientRequest&) {
        net::HttpClientResponse r;
        r.status = 200;
        return Result<net::HttpClientResponse>(r);
      };
  std::chrono::milliseconds delay{2};

  events::WebhookPoster poster() {
    return [this](net::HttpClientRequest request,
                  std::function<void(Result<net::HttpClientResponse>)> done) {
      // Per endpoint (its URL) and message.
      auto message = request.url + " " + message_of(request);
      // Under the lock: several senders may post at once.
      std::lock_guard lock(mu);
      requests.push_back(request);
      max_per_message = std::max(max_per_message, ++in_flight[message]);
      threads.emplace_back([this, request, message, done = std::move(done)] {
        std::this_thread::sleep_for(delay);  // an endpoint's latency, not synchronisation
        auto r = answer(request);
        {
          std::lock_guard lock(mu);
          --in_flight[message];
        }
        done(std::move(r));
      });
    };
  }

  // After every sender stopped: none posts any more.
  ~FakePoster() {
    for (auto& t : threads) t.join();
  }

  static std::string message_of(const net::HttpClientRequest& r) {
    auto at = r.body.find("\"message_id\":\"");
    return r.body.substr(at + 14, 13);
  }
  static std::string header(const net::HttpClientRequest& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return "";
  }

  std::mutex mu;
  std::vector<net::HttpClientRequest> requests;
  std::map<std::string, int> in_flight;
  int max_per_message = 0;
  std::deque<std::thread> threads;  // guarded by mu until destruction
};

}  // namespace postern::test
