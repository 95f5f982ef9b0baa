#include "sim/app/simulator.h"

#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <future>
#include <thread>

#include "sim/app/relay_server.h"
#include "sim/app/service_host.h"
#include "sim/common/http_util.h"
#include "sim/common/id_source.h"

namespace postern::sim {

namespace asio = boost::asio;

struct Simulator::ControlLoop {
  asio::io_context context{1};
  asio::executor_work_guard<asio::io_context::executor_type> guard{context.get_executor()};
  std::thread thread{[this] { context.run(); }};

  ~ControlLoop() { finish(); }
  void finish() {
    guard.reset();
    if (thread.joinable()) thread.join();
  }
};

struct Simulator::Slot {
  Slot(Service service, FaultSpec initial, std::uint64_t seed)
      : service(service), initial(initial), faults(std::move(initial), seed) {}
  Service service;
  FaultSpec initial;  // as the command line set it, for reset
  FaultState faults;
  std::unique_ptr<ServiceListener> listener;
  std::unique_ptr<asio::steady_timer> flap_timer;  // on the control thread
  bool flap_down = false;
  std::uint64_t flap_generation = 0;  // a changed schedule orphans the old timer's callback
};

namespace {

std::unique_ptr<HttpService> make_service(Service s, const SimOptions& o, std::uint64_t seed) {
  switch (s) {
    case Service::mailgun:
      return std::make_unique<MailgunService>(o.mailgun, seed);
    case Service::sendgrid:
      return std::make_unique<SendGridService>(o.sendgrid, seed);
    case Service::ses:
      return std::make_unique<SesService>(o.ses, seed);
    case Service::postmark:
      return std::make_unique<PostmarkService>(o.postmark, seed);
    case Service::smtp:
      break;
  }
  return nullptr;
}

}  // namespace

Result<std::unique_ptr<Simulator>, Problem> Simulator::create(SimOptions options) {
  if (options.seed == 0) {
    options.seed =
        static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  }
  std::optional<RecordFile> record;
  if (!options.record_path.empty()) {
    auto opened = RecordFile::open(options.record_path);
    if (!opened) return opened.error();
    record.emplace(std::move(*opened));
  }
  std::unique_ptr<Simulator> sim(new Simulator(std::move(options), std::move(record)));
  const auto& o = sim->options_;
  auto webhooks = WebhookDispatcher::create(sim->io_, o.webhooks, o.sendgrid_webhook_key_pem,
                                            splitmix64(o.seed + kServiceCount));
  if (!webhooks) return webhooks.error();
  sim->webhooks_ = std::move(*webhooks);
  for (auto s : kAllServices) {
    auto i = service_index(s);
    if (!o.listen[i]) continue;
    auto address = net::parse_listen_address(*o.listen[i]);
    if (!address)
      return Problem{"--" + std::string(service_name(s)) + " " + *o.listen[i] +
                     ": expected HOST:PORT"};
    auto seed = splitmix64(o.seed + i);
    auto slot = std::make_unique<Slot>(s, o.faults[i], seed);
    slot->flap_timer = std::make_unique<asio::steady_timer>(sim->control_->context);
    if (s == Service::smtp) {
      auto relay =
          RelayServer::create(sim->io_, *address, o.smtp, o.tls, slot->faults, sim->ledger_, seed);
      if (!relay) return relay.error();
      slot->listener = std::move(*relay);
    } else {
      slot->listener = std::make_unique<HttpServiceHost>(sim->io_, sim->metrics_, *address,
                                                         make_service(s, o, seed), slot->faults,
                                                         sim->ledger_, sim->webhooks_.get());
    }
    sim->slots_[i] = std::move(slot);
  }
  return sim;
}

Simulator::Simulator(SimOptions options, std::optional<RecordFile> record)
    : options_(std::move(options)),
      io_(options_.threads),
      ledger_(options_.capture_bytes, std::move(record), options_.hash_bodies),
      control_api_(*this),
      control_(std::make_unique<ControlLoop>()) {}

Simulator::~Simulator() { stop(); }

void Simulator::run_on_control(const std::function<void()>& work) {
  std::promise<void> done;
  asio::post(control_->context, [&] {
    work();
    done.set_value();
  });
  done.get_future().wait();
}

Result<void, Problem> Simulator::start() {
  if (!options_.record_path.empty()) {
    auto lines = RecordFile::replay(
        options_.record_path,
        [this](Service s, std::string_view id, std::string_view) { ledger_.restore(s, id); });
    if (lines > 0)
      spdlog::info("sim: {} accepted messages read back from {}", lines, options_.record_path);
  }
  io_.start();
  for (auto& slot : slots_) {
    if (!slot) continue;
    auto port = slot->listener->open();
    if (!port) return port.error();
  }
  // The command line's faults, applied like any later change (a service
  // started down keeps its port and refuses connections).
  Result<void, Problem> applied;
  run_on_control([&] {
    for (auto& slot : slots_) {
      if (!slot) continue;
      auto spec = slot->initial;
      slot->faults.set(FaultSpec{});
      if (auto r = apply(*slot, spec); !r && applied) applied = r.error();
    }
  });
  if (!applied) return applied;

  net::HttpServerOptions control;
  control.listen = options_.control;
  control_server_ = std::make_unique<net::HttpServer>(
      io_, control,
      [this](net::HttpRequest&& request, net::Responder respond) {
        control_api_.handle(std::move(request), respond);
      },
      metrics_);
  auto port = control_server_->start();
  if (!port) return Problem{"--control " + options_.control + ": " + port.error().message()};
  auto address = net::parse_listen_address(options_.control);
  control_address_ = host_port(address ? address->host : "127.0.0.1", *port);
  webhooks_->set_sns_base_url("http://" + control_address_ + "/_sim/sns");
  webhooks_->start();
  return {};
}

std::string Simulator::ready_line() const {
  std::string line = "postern-sim ready: control=" + control_address_;
  for (const auto& slot : slots_) {
    if (!slot) continue;
    line += " " + std::string(service_name(slot->service)) + "=" +
            host_port(slot->listener->host(), slot->listener->port());
  }
  return line;
}

void Simulator::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (control_server_) control_server_->stop(std::chrono::seconds(1));
  if (webhooks_) webhooks_->stop();
  // No more flapping: the schedules end before the listeners close.
  run_on_control([this] {
    for (auto& slot : slots_) {
      if (!slot) continue;
      ++slot->flap_generation;
      slot->flap_timer->cancel();
    }
  });
  control_->finish();
  for (auto& slot : slots_) {
    if (!slot) continue;
    slot->listener->close();
    slot->flap_timer.reset();  // before the control loop's io_context goes
  }
  io_.stop();
}

std::vector<ServiceStatus> Simulator::status() const {
  std::vector<ServiceStatus> out;
  for (const auto& slot : slots_) {
    if (!slot) continue;
    out.push_back({slot->service, slot->listener->host(), slot->listener->port(),
                   slot->listener->is_open(), slot->faults.spec()});
  }
  return out;
}

void Simulator::update_faults(Service service, FaultChange change, FaultDone done) {
  asio::post(control_->context,
             [this, service, change = std::move(change), done = std::move(done)] {
               auto& slot = slots_[service_index(service)];
               if (!slot)
                 return done(Problem{std::string(service_name(service)) + " is not started"});
               auto spec = change(slot->faults.spec());
               if (!spec) return done(spec.error());
               done(apply(*slot, std::move(*spec)));
             });
}

WebhookControl* Simulator::webhooks() { return webhooks_.get(); }

void Simulator::reset(std::function<void()> done) {
  asio::post(control_->context, [this, done = std::move(done)] {
    ledger_.reset();
    webhooks_->reset_counts();
    for (auto& slot : slots_) {
      if (!slot) continue;
      if (auto r = apply(*slot, slot->initial); !r)
        spdlog::warn("sim: reset: {}", r.error().message);
    }
    done();
  });
}

Result<FaultSpec, Problem> Simulator::apply(Slot& slot, FaultSpec spec) {
  auto old = slot.faults.spec();
  slot.faults.set(spec);
  if (old.hang && !spec.hang) slot.listener->release_held();
  if (spec.flap != old.flap) {
    ++slot.flap_generation;
    slot.flap_timer->cancel();
    slot.flap_down = spec.flap.active();  // a schedule starts with its down period
    if (spec.flap.active()) schedule_flap(slot, slot.flap_generation);
  }
  if (auto r = reconcile(slot); !r) return r.error();
  return spec;
}

Result<void, Problem> Simulator::reconcile(Slot& slot) {
  auto spec = slot.faults.spec();
  bool want_open = !spec.down && !(spec.flap.active() && slot.flap_down);
  if (want_open && !slot.listener->is_open()) {
    auto port = slot.listener->open();
    if (!port) return port.error();
    spdlog::info("sim: {} up on port {}", service_name(slot.service), *port);
  } else if (!want_open && slot.listener->is_open()) {
    slot.listener->close();
    spdlog::info("sim: {} down (port {} refuses connections)", service_name(slot.service),
                 slot.listener->port());
  }
  return {};
}

void Simulator::schedule_flap(Slot& slot, std::uint64_t generation) {
  auto flap = slot.faults.spec().flap;
  slot.flap_timer->expires_after(slot.flap_down ? flap.down : flap.up);
  slot.flap_timer->async_wait([this, &slot, generation](const boost::system::error_code& ec) {
    if (ec || generation != slot.flap_generation) return;
    slot.flap_down = !slot.flap_down;
    if (auto r = reconcile(slot); !r) spdlog::warn("sim: flap: {}", r.error().message);
    schedule_flap(slot, generation);
  });
}

}  // namespace postern::sim
