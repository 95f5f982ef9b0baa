#include "sim/app/webhook_dispatcher.h"

#include <spdlog/spdlog.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <deque>
#include <map>

#include "net/http_client.h"
#include "sim/common/http_util.h"

namespace postern::sim {

namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

struct WebhookDispatcher::Delivery {
  WebhookPost post;
  Clock::time_point due;
  int attempts = 0;
};

struct WebhookDispatcher::Lane {
  explicit Lane(Service s, WebhookSpec spec) : service(s), spec(std::move(spec)) {}
  Service service;
  mutable std::mutex mu;
  WebhookSpec spec;                             // guarded by mu
  std::deque<std::shared_ptr<Delivery>> queue;  // guarded by mu
  std::vector<std::shared_ptr<Delivery>> held;  // waiting for spec.hold; guarded by mu
  bool busy = false;                            // a queued request is in flight or waited for
  // SNS: the subscription of spec.url.
  std::string token;
  bool confirmed = false;
  // Counts.
  std::uint64_t events = 0, requests = 0, acknowledged = 0, retries = 0, gave_up = 0,
                transport_errors = 0, duplicates_sent = 0;
  std::map<int, std::uint64_t> answers;
};

Result<std::unique_ptr<WebhookDispatcher>, Problem> WebhookDispatcher::create(
    net::IoRuntime& io, const std::array<WebhookSpec, kServiceCount>& initial,
    const std::string& sendgrid_key_pem, std::uint64_t seed) {
  auto sendgrid = sendgrid_key_pem.empty() ? EcSigningKey::generate()
                                           : EcSigningKey::from_pem(sendgrid_key_pem);
  if (!sendgrid) return Problem{"SendGrid webhook key: " + sendgrid.error().message};
  auto sns = SnsSigningKey::generate();
  if (!sns) return sns.error();
  net::HttpClientOptions options;
  options.user_agent = "postern-sim";
  options.connect_timeout = std::chrono::seconds(5);
  auto client = net::HttpClient::create(io, options);
  if (!client) return client.error();
  std::unique_ptr<WebhookDispatcher> d(
      new WebhookDispatcher(io, std::move(*client), std::move(*sendgrid), std::move(*sns), seed));
  for (auto s : kAllServices)
    d->lanes_[service_index(s)] = std::make_unique<Lane>(s, initial[service_index(s)]);
  return d;
}

WebhookDispatcher::WebhookDispatcher(net::IoRuntime& io, std::unique_ptr<net::HttpClient> client,
                                     EcSigningKey sendgrid, SnsSigningKey sns, std::uint64_t seed)
    : io_(io),
      client_(std::move(client)),
      sendgrid_(std::move(sendgrid)),
      sns_(std::move(sns)),
      ids_(seed),
      alive_(std::make_shared<std::atomic<bool>>(true)) {}

WebhookDispatcher::~WebhookDispatcher() { stop(); }

void WebhookDispatcher::set_sns_base_url(std::string url) { sns_base_url_ = std::move(url); }

void WebhookDispatcher::start() {
  auto& lane = *lanes_[service_index(Service::ses)];
  std::lock_guard lock(lane.mu);
  if (!lane.spec.url.empty()) subscribe(lane);
}

void WebhookDispatcher::stop() { alive_->store(false); }

double WebhookDispatcher::draw() { return static_cast<double>(ids_.next() >> 11) * 0x1.0p-53; }

void WebhookDispatcher::after(std::chrono::milliseconds delay, std::function<void()> work) {
  auto timer = std::make_shared<boost::asio::steady_timer>(io_.next(), delay);
  timer->async_wait(
      [timer, alive = alive_, work = std::move(work)](const boost::system::error_code& ec) {
        if (!ec && alive->load()) work();
      });
}

void WebhookDispatcher::subscribe(Lane& lane) {
  lane.token = ids_.hex(64);
  lane.confirmed = false;
  WebhookContext context{lane.spec, ids_, std::chrono::system_clock::now(), sns_, sns_base_url_};
  auto delivery = std::make_shared<Delivery>();
  delivery->post = sns_subscription_confirmation(context, lane.token);
  delivery->due = Clock::now();
  ++lane.requests;
  // Outside the lane's queue: the notifications wait behind it.
  after(std::chrono::milliseconds(0), [this, &lane, delivery] { attempt(lane, delivery, false); });
}

void WebhookDispatcher::accepted(AcceptedMessage message) {
  auto& lane = *lanes_[service_index(message.service)];
  {
    std::lock_guard lock(lane.mu);
    if (lane.spec.url.empty()) return;
    WebhookContext context{lane.spec, ids_, std::chrono::system_clock::now(), sns_, sns_base_url_};
    auto posts = build_webhooks(message, context);
    auto& held = lane.held;
    const auto due = Clock::now() + lane.spec.delay;
    for (auto& post : posts) {
      lane.events += post.events;
      auto d = std::make_shared<Delivery>(Delivery{std::move(post), due});
      held.push_back(d);
      if (lane.spec.duplicates > 0 && draw() < lane.spec.duplicates) {
        held.push_back(std::make_shared<Delivery>(Delivery{d->post, due}));
        ++lane.duplicates_sent;
      }
    }
    release_held(lane);
  }
  pump(lane);
}

void WebhookDispatcher::release_held(Lane& lane) {
  auto& group = lane.held;
  if (group.empty() || group.size() < static_cast<std::size_t>(lane.spec.hold)) return;
  if (lane.spec.order == EventOrder::reverse) {
    std::reverse(group.begin(), group.end());
  } else if (lane.spec.order == EventOrder::shuffle) {
    for (std::size_t i = group.size(); i > 1; --i) std::swap(group[i - 1], group[ids_.next() % i]);
  }
  lane.queue.insert(lane.queue.end(), group.begin(), group.end());
  group.clear();
}

void WebhookDispatcher::pump(Lane& lane) {
  std::shared_ptr<Delivery> next;
  {
    std::lock_guard lock(lane.mu);
    if (lane.busy || lane.queue.empty()) return;
    // SNS sends no notification before the subscription is confirmed.
    if (lane.service == Service::ses && !lane.confirmed) return;
    auto wait =
        std::chrono::ceil<std::chrono::milliseconds>(lane.queue.front()->due - Clock::now());
    lane.busy = true;
    if (wait.count() > 0) {
      after(wait, [this, &lane] {
        {
          std::lock_guard inner(lane.mu);
          lane.busy = false;
        }
        pump(lane);
      });
      return;
    }
    next = lane.queue.front();
    lane.queue.pop_front();
    ++lane.requests;
  }
  attempt(lane, std::move(next), true);
}

void WebhookDispatcher::attempt(Lane& lane, std::shared_ptr<Delivery> delivery, bool from_queue) {
  net::HttpClientRequest request;
  request.method = "POST";
  {
    std::lock_guard lock(lane.mu);
    request.url = webhook_target(lane.spec.url).url;
  }
  request.headers = delivery->post.headers;
  if (delivery->post.sign_each_attempt) {
    for (auto& h : sendgrid_signature_headers(sendgrid_, delivery->post.body,
                                              unix_seconds(std::chrono::system_clock::now())))
      request.headers.push_back(std::move(h));
  }
  request.body = delivery->post.body;
  request.timeout = std::chrono::seconds(10);
  ++delivery->attempts;
  client_->send(std::move(request), [this, &lane, delivery, from_queue,
                                     alive = alive_](Result<net::HttpClientResponse> r) {
    if (!alive->load()) return;
    if (!r) {
      spdlog::info("sim: {} webhook: {}", service_name(lane.service), r.error().message());
    }
    finished(lane, delivery, r ? r->status : 0, from_queue);
  });
}

void WebhookDispatcher::finished(Lane& lane, const std::shared_ptr<Delivery>& delivery, int status,
                                 bool from_queue) {
  bool retry = false;
  std::chrono::milliseconds wait{0};
  {
    std::lock_guard lock(lane.mu);
    if (status == 0) {
      ++lane.transport_errors;
    } else {
      ++lane.answers[status];
    }
    if (status >= 200 && status < 300) {
      ++lane.acknowledged;
    } else if (retried_after(delivery->post, status) && delivery->attempts <= lane.spec.retries) {
      retry = true;
      ++lane.retries;
      ++lane.requests;
      wait = lane.spec.retry_delay * (1 << (delivery->attempts - 1));
    } else {
      ++lane.gave_up;
    }
    if (from_queue) lane.busy = false;
  }
  if (retry) after(wait, [this, &lane, delivery] { attempt(lane, delivery, false); });
  if (from_queue) pump(lane);
}

Result<WebhookSpec, Problem> WebhookDispatcher::update(Service service, const Change& change) {
  if (service == Service::smtp) return Problem{"smtp sends no webhooks"};
  auto& lane = *lanes_[service_index(service)];
  {
    std::lock_guard lock(lane.mu);
    auto spec = change(lane.spec);
    if (!spec) return spec.error();
    const bool resubscribe = service == Service::ses && !spec->url.empty() &&
                             (spec->url != lane.spec.url || spec->topic_arn != lane.spec.topic_arn);
    lane.spec = *spec;
    if (spec->url.empty()) {
      lane.queue.clear();
      lane.held.clear();
    }
    release_held(lane);  // a lower hold lets them go
    if (resubscribe) subscribe(lane);
  }
  pump(lane);
  std::lock_guard lock(lane.mu);
  return lane.spec;
}

bool WebhookDispatcher::confirm_subscription(std::string_view token) {
  auto& lane = *lanes_[service_index(Service::ses)];
  {
    std::lock_guard lock(lane.mu);
    if (lane.token.empty() || token != lane.token) return false;
    lane.confirmed = true;
  }
  pump(lane);
  return true;
}

boost::json::object WebhookDispatcher::status(Service service) const {
  const auto& lane = *lanes_[service_index(service)];
  std::lock_guard lock(lane.mu);
  auto out = to_json(lane.spec);
  boost::json::object answers;
  for (const auto& [status, n] : lane.answers) answers[std::to_string(status)] = n;
  out["counts"] = boost::json::object{{"events", lane.events},
                                      {"requests", lane.requests},
                                      {"acknowledged", lane.acknowledged},
                                      {"answers", std::move(answers)},
                                      {"transport_errors", lane.transport_errors},
                                      {"retries", lane.retries},
                                      {"gave_up", lane.gave_up},
                                      {"duplicates", lane.duplicates_sent},
                                      {"pending", lane.queue.size() + lane.held.size()},
                                      {"held", lane.held.size()}};
  if (service == Service::sendgrid) out["public_key"] = sendgrid_.public_key_base64();
  if (service == Service::ses) {
    out["subscription"] = boost::json::object{{"confirmed", lane.confirmed}, {"token", lane.token}};
    out["signing_cert_url"] = sns_base_url_ + std::string(kSnsCertificatePath);
  }
  return out;
}

void WebhookDispatcher::reset_counts() {
  for (auto& lane : lanes_) {
    std::lock_guard lock(lane->mu);
    lane->events = lane->requests = lane->acknowledged = lane->retries = lane->gave_up =
        lane->transport_errors = lane->duplicates_sent = 0;
    lane->answers.clear();
  }
}

}  // namespace postern::sim
