#include "app/server.h"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <csignal>
#include <mutex>
#include <optional>

#include "app/inbox_settings.h"
#include "app/server_tls.h"
#include "app/shutdown.h"
#include "auth/abuse_limits.h"
#include "auth/authenticator.h"
#include "auth/key_use_flusher.h"
#include "delivery/dispatcher.h"
#include "delivery/intake.h"
#include "delivery/outcome_waiters.h"
#include "delivery/suppression_cache.h"
#include "events/webhook_receiver.h"
#include "events/webhook_sender.h"
#include "http/api.h"
#include "http/ui_files.h"
#include "imap/server/imap_server.h"
#include "inbox/accounts.h"
#include "inbox/announcing_sink.h"
#include "inbox/catch_sink.h"
#include "inbox/catching.h"
#include "inbox/client_settings.h"
#include "inbox/expiry.h"
#include "net/http_client.h"
#include "net/http_server.h"
#include "net/io_runtime.h"
#include "net/server_certificate.h"
#include "pop3/inbox_backend.h"
#include "pop3/pop3_server.h"
#include "providers/capture/capture_provider.h"
#include "providers/common/request_budget.h"
#include "providers/registry.h"
#include "routing/routing_service.h"
#include "smtp/smtp_server.h"
#include "stats/live_feed.h"
#include "stats/traffic_stats.h"
#include "store/await_write.h"
#include "store/open_store.h"
#include "store/retention.h"

namespace postern::app {
namespace {

// Lets the cluster link, joined before the dispatcher exists, wake it when
// other nodes queue mail: pointed at the dispatcher once it is made, and
// cleared (under the lock, so no wake-up is under way) before it goes.
class WakeRelay {
 public:
  void wake() {
    std::lock_guard lock(mu_);
    if (target_) target_->wake();
  }

  // Relays to `target` while this lives.
  class Binding {
   public:
    Binding(WakeRelay& relay, delivery::Dispatcher& target) : relay_(relay) {
      std::lock_guard lock(relay_.mu_);
      relay_.target_ = &target;
    }
    ~Binding() {
      std::lock_guard lock(relay_.mu_);
      relay_.target_ = nullptr;
    }
    Binding(const Binding&) = delete;
    Binding& operator=(const Binding&) = delete;

   private:
    WakeRelay& relay_;
  };

 private:
  std::mutex mu_;
  delivery::Dispatcher* target_ = nullptr;  // guarded by mu_
};

void add_queue_depth_collector(MetricsRegistry& metrics, store::Store& store) {
  metrics.add_collector([&store](std::string& out) {
    auto counts = store.count_by_status();
    if (!counts) return;
    out +=
        "# HELP postern_queue_messages Messages in the store by status\n# TYPE "
        "postern_queue_messages gauge\n";
    for (int s = 0; s < kMessageStatusCount; ++s) {
      out += "postern_queue_messages{status=\"" +
             std::string(to_string(static_cast<MessageStatus>(s))) + "\"} " +
             std::to_string((*counts)[static_cast<std::size_t>(s)]) + "\n";
    }
  });
}

std::string host_of(const std::string& listen) { return listen.substr(0, listen.rfind(':')); }

// Blocks until one of `signals` arrives. They are blocked in every thread
// (set before any thread starts) and taken here synchronously.
int wait_for_signal(const sigset_t& signals) {
  int sig = 0;
  sigwait(&signals, &sig);
  return sig;
}

// SIGHUP: read the file again and apply its routing and providers. Nothing
// else is touched (listeners, connections and attempts in flight go on); a
// file that does not load or apply is reported and the running one stays.
void reload(const Config& running, routing::RoutingService& routing) {
  auto refuse = [&routing](const std::string& why) {
    spdlog::error("SIGHUP: the new configuration is not used (the running one stays): {}", why);
    routing.events().publish("config_rejected", {{"reason", why}});
  };
  if (running.source_path.empty())
    return refuse("postern was started without --config: there is no file to read");
  auto next = load_config(running.source_path, process_environment());
  if (!next) return refuse(next.error().to_string());
  auto applied = routing.apply(next->routing);
  if (!applied) return refuse(applied.error().to_string());
  spdlog::info("SIGHUP: {} reloaded: {} (other sections need a restart)", running.source_path,
               *applied);
  routing.events().publish("config_reloaded",
                           {{"file", running.source_path}, {"summary", *applied}});
}

// SIGHUP, first: each TLS listener's certificate files are read again
// (a renewed certificate); connections up keep theirs, new ones get the
// new one. A file that does not load leaves that listener as it was.
using Certificates = std::vector<std::pair<std::string, std::shared_ptr<net::ServerCertificate>>>;

void reload_certificates(const Certificates& certificates) {
  for (const auto& [server, certificate] : certificates) {
    const auto& files = certificate->options().tls;
    if (auto reloaded = certificate->reload(); !reloaded) {
      spdlog::error("SIGHUP: the TLS certificate is not reloaded (the running one stays): {}: {}",
                    server, reloaded.error().message);
    } else {
      spdlog::info("SIGHUP: TLS certificate {} and key {} reloaded for {}", files.cert, files.key,
                   server);
    }
  }
}

}  // namespace

int serve(const Config& config) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  SystemClock clock;
  MetricsRegistry metrics;
  auto store = store::open_node_store(config.store, clock, metrics);
  if (!store) {
    spdlog::critical("cannot open the store at {}: {}", store::store_location(config.store),
                     store.error().message());
    return 1;
  }
  add_queue_depth_collector(metrics, **store);
  // This node among those sharing the store (docs/operations.md "Several
  // nodes"): its name is its own, and mail the others queue wakes its
  // dispatcher.
  const auto node = store::node_name_or_host(config.store);
  WakeRelay wake_relay;
  if (auto joined = (*store)->cluster().join(node, [&wake_relay] { wake_relay.wake(); }); !joined) {
    spdlog::critical(
        "cannot join the nodes sharing the store as '{}': {}{}", node, joined.error().message(),
        joined.error() == Errc::conflict
            ? " (another running node has this name: set store.node to a name of each node's own)"
            : "");
    return 1;
  }
  std::optional<store::RetentionSweeper> retention;
  if (config.store.retention.enabled()) {
    retention.emplace(**store, clock, metrics, config.store.retention);
    retention->purge_webhooks_with((*store)->webhooks());
  }

  // Message content in memory, received and being sent: one budget for
  // SMTP, HTTP, delivery and the request bodies providers build from it
  // (docs/operations.md "Memory"). Made before the I/O threads: handlers
  // still queued when they end hold charges, released as ~IoRuntime
  // destroys them.
  InflightBudget inflight(config.limits.inflight_bytes, metrics);
  net::IoRuntime io(config.io.threads);
  auto http_client = net::HttpClient::create(io, {});
  if (!http_client) {
    spdlog::critical("cannot set up the HTTP client: {}", http_client.error().message);
    return 1;
  }
  // Caught mail is filed into the test inbox (docs/inbox.md "How mail is
  // caught"): by the capture provider of the routing, and by the dispatcher's
  // own for mail sent with a test account's credentials.
  auto catch_all = inbox::ensure_catch_all((*store)->inbox(), config.inbox);
  if (!catch_all) {
    spdlog::critical("cannot set up the catch-all test account: {}", catch_all.error().message());
    return 1;
  }
  if (catch_all->new_password) {
    spdlog::warn(
        "test inbox: mail to no test account is caught into user '{}' (address {}), password {} "
        "(shown once; set inbox.catch_all_password to choose it)",
        catch_all->account.user, catch_all->account.address, *catch_all->new_password);
  }
  inbox::CatchSink filing_sink((*store)->inbox(), clock,
                               {config.inbox.domain, std::string(inbox::kCatchAllUser)});
  // The dashboard's figures, and its live events (made once the event bus
  // is, below): caught mail is announced to the web UI's inbox.
  stats::TrafficStats traffic(clock);
  std::optional<stats::LiveFeed> live;
  inbox::AnnouncingSink catch_sink(filing_sink, [&live](const std::string& account) {
    if (live) live->mail_caught(account);
  });
  providers::common::RequestBudget request_bodies(inflight, io, metrics);
  providers::ProviderContext provider_context{io,      **http_client, clock,
                                              metrics, &catch_sink,   &request_bodies};
  providers::ProviderRegistry registry;
  providers::register_builtin_providers(registry);
  // This start's number: the event stream's ids carry it, so they go on
  // increasing across restarts and crashes (routing/event_ids.h).
  auto boot = store::await_write<std::uint64_t>(
      [&](auto done) { (*store)->record_boot(node, clock.now(), done); });
  if (!boot) {
    spdlog::critical("cannot record this start in the store: {}", boot.error().message());
    return 1;
  }
  routing::RoutingService routing(io, registry, provider_context, clock, metrics,
                                  routing::event_boot_for(*boot));
  // Providers and routing changed at run time outlive the process
  // (docs/routing.md "Run-time changes").
  routing.keep_changes_in((*store)->routing());
  // Each node's view of the providers' health, shown by any node
  // (docs/routing.md "Health on several nodes").
  routing.share_health_as(node);
  if (auto applied = routing.apply(config.routing); !applied) {
    spdlog::critical("configuration error: {}", applied.error().to_string());
    return 2;
  } else {
    spdlog::info("routing: {}", *applied);
  }
  auto& router = routing.router();
  live.emplace(
      traffic, [&store = **store] { return store.count_by_status(); },
      [&routing](std::string_view type, boost::json::object fields) {
        routing.events().publish_live(type, std::move(fields));
      });

  delivery::OutcomeWaiters waiters;
  auto dispatch_options = config.delivery.dispatcher;
  dispatch_options.owner = node;
  delivery::Dispatcher dispatcher(io, **store, router, &waiters, metrics, clock, dispatch_options);
  WakeRelay::Binding wake_binding(wake_relay, dispatcher);
  dispatcher.catch_with(
      std::make_shared<providers::capture::CaptureProvider>("capture", &catch_sink));
  // The suppression list in memory, in front of the store's: intake
  // checks every message against it; the API, the dispatcher (providers'
  // inactive recipients) and the webhooks change it through it.
  delivery::SuppressionCache suppressions((*store)->events());
  if (auto loaded = suppressions.load(); !loaded) {
    spdlog::critical("cannot read the suppression list: {}", loaded.error().message());
    return 1;
  }
  dispatcher.suppress_with(suppressions);
  dispatcher.charge_content_to(inflight);
  dispatcher.observe_with([&traffic, &live](MessageId id, const stats::AttemptSeen& seen) {
    traffic.record_attempt(seen);
    live->message_changed(id, seen.status);
  });
  delivery::Intake intake(**store, metrics, [&dispatcher, &traffic] {
    traffic.record_intake();
    dispatcher.wake();
  });
  intake.check_quota_with((*store)->inbox());
  intake.check_suppressions_with(suppressions);

  auth::Authenticator authenticator(**store, clock);
  // Keys' last use, written every few seconds rather than per request.
  auth::KeyUseFlusher key_uses(authenticator, **store);
  key_uses.start();
  // Rate and concurrency per key and address, SMTP messages per minute,
  // delays after failed logins: one set of tables for HTTP and SMTP.
  auth::AbuseLimits limits(config.limits, clock, metrics);
  std::atomic<bool> stopping{false};
  inbox::AccountService accounts((*store)->inbox(), clock, config.inbox);
  // The one login check of the test accounts, for SMTP AUTH here and for
  // IMAP and POP3 below.
  authenticator.accept_test_accounts(accounts);
  // Enforces inbox.retention: caught mail and unused accounts expire.
  inbox::InboxExpiry expiry((*store)->inbox(), **store, clock, metrics,
                            {.interval = config.inbox.expiry_interval});
  // The configured addresses until the listeners have their ports.
  inbox::ClientSettingsBoard client_settings;
  client_settings.set(inbox_client_settings(config, nullptr));
  http::ApiServices services{
      **store,
      intake,
      authenticator,
      metrics,
      clock,
      config.messages,
      config.api,
      [&stopping, &store] { return !stopping.load() && (*store)->writable(); },
      [&dispatcher] { dispatcher.wake(); },
      &waiters,
      &routing};
  services.accounts = &accounts;
  services.abuse_limits = &limits;
  services.client_settings = &client_settings;
  services.inbox = &(*store)->inbox();
  // Through the suppression list's cache, so that a bounce or a complaint
  // recorded here reaches intake's check at once.
  services.events = &suppressions;
  // Provider event webhooks (docs/events.md, "Webhooks in"): the named
  // provider's current object checks them, the store records them.
  events::WebhookReceiver webhooks(
      [&routing](const std::string& name) -> std::shared_ptr<providers::Webhook> {
        auto provider = routing.router().current(name);
        return provider ? provider->webhook() : nullptr;
      },
      suppressions, metrics, clock);
  services.webhooks = &webhooks;
  services.traffic = &traffic;
  services.live = &*live;
  services.ui = std::make_shared<const http::UiFiles>(http::UiFiles::load(config.api.ui_dir));
  if (services.ui->built()) {
    spdlog::info("web UI: {} files from {}", services.ui->file_count(), config.api.ui_dir);
  } else {
    spdlog::warn("web UI: not built ({}: {}); / says how to build it", config.api.ui_dir,
                 services.ui->problem().empty() ? "no index.html" : services.ui->problem());
  }
  // Webhooks out (docs/events.md "Webhooks out"): the user's endpoints
  // over the API, and the sender on an I/O thread and HTTP client of its
  // own, so that a dead or hanging endpoint never takes a thread or a
  // pooled connection from intake, delivery or the providers.
  services.webhooks_out = &(*store)->webhooks();
  net::IoRuntime webhook_io(1);
  net::HttpClientOptions webhook_http_options;
  webhook_http_options.connect_timeout =
      std::min(webhook_http_options.connect_timeout, config.webhooks.timeout);
  webhook_http_options.max_idle_per_host = config.webhooks.max_in_flight;
  // Endpoints answer with a status; their bodies are only shown in the log.
  webhook_http_options.max_response_body_bytes = 1024 * 1024;
  auto webhook_http = net::HttpClient::create(webhook_io, webhook_http_options);
  if (!webhook_http) {
    spdlog::critical("cannot set up the webhook HTTP client: {}", webhook_http.error().message);
    return 1;
  }
  events::WebhookSender webhook_sender(
      webhook_io, (*store)->webhooks(), node,
      [&client = **webhook_http](net::HttpClientRequest request,
                                 std::function<void(Result<net::HttpClientResponse>)> done) {
        client.send(std::move(request), std::move(done));
      },
      clock, metrics, config.webhooks);
  http::Api api(std::move(services));

  // Before any listener: a self-signed certificate is made here on the
  // first start (when [tls] names no files), and every TLS server shares it.
  auto tls = server_tls(config, clock.now());
  if (!tls) {
    spdlog::critical("cannot set up the TLS certificate: {}", tls.error().message);
    return 1;
  }
  auto http_options = config.http;
  http_options.tls = *tls;
  http_options.budget = &inflight;
  net::HttpServer http_server(
      io, std::move(http_options),
      [&api](net::HttpRequest&& r, net::Responder respond) { api.handle(std::move(r), respond); },
      metrics);
  auto smtp_listeners = config.smtp.listeners();
  std::vector<std::unique_ptr<smtp::SmtpServer>> smtp_servers;
  for (auto& options : smtp_listeners) {
    options.tls = *tls;
    smtp_servers.push_back(
        std::make_unique<smtp::SmtpServer>(io, options, intake, authenticator, metrics, clock));
    smtp_servers.back()->limit_with(limits);
    smtp_servers.back()->charge_content_to(inflight);
  }
  // The test inbox's MX (docs/inbox.md "MX listener"): mail for its
  // accounts' addresses from anywhere, caught for them, never relayed.
  std::optional<smtp::SmtpServer> mx_server;
  if (!config.inbox.mx_listen.empty()) {
    auto options = config.smtp.mx_listener(config.inbox.mx_listen);
    options.tls = *tls;
    smtp::MxPolicy mx{config.inbox.domain, [&inbox = (*store)->inbox()](const std::string& a) {
                        return inbox.account_by_address(a);
                      }};
    mx_server.emplace(io, std::move(options), intake, authenticator, metrics, clock, std::move(mx));
    mx_server->charge_content_to(inflight);
  }
  // POP3 reads the test inbox's accounts (their INBOX is the maildrop),
  // logged in by the account service as every other server's.
  pop3::InboxBackend pop3_backend((*store)->inbox(), accounts);
  std::optional<pop3::Pop3Server> pop3_server;
  if (!config.pop3.server.listen.empty()) {
    auto options = config.pop3.server;
    options.tls = *tls;
    options.default_retention = config.inbox.retention;
    pop3_server.emplace(io, std::move(options), pop3_backend, metrics);
  }
  // IMAP serves the same accounts' mailboxes; logins go to the account
  // service (its cache and Argon2id check).
  std::optional<imap::ImapServer> imap_server;
  if (config.imap.enabled()) {
    auto options = config.imap.server;
    options.tls = *tls;
    imap_server.emplace(io, std::move(options), (*store)->inbox(), accounts, metrics, clock);
  }

  io.start();
  auto fail_start = [&](const std::string& what, const std::string& listen, const error_code& ec) {
    spdlog::critical("cannot listen for {} on {}: {}", what, listen, ec.message());
    for (auto& s : smtp_servers) s->stop(std::chrono::milliseconds(0));
    if (mx_server) mx_server->stop(std::chrono::milliseconds(0));
    if (pop3_server) pop3_server->stop(std::chrono::milliseconds(0));
    if (imap_server) imap_server->stop(std::chrono::milliseconds(0));
    http_server.stop(std::chrono::milliseconds(0));
    io.stop();
    return 1;
  };
  auto http_port = http_server.start();
  if (!http_port) return fail_start("HTTP", config.http.listen, http_port.error());
  std::string ready = "http=" + host_of(config.http.listen) + ":" + std::to_string(*http_port);
  BoundPorts bound{*http_port, {}};
  for (std::size_t i = 0; i < smtp_servers.size(); ++i) {
    const auto& listen = smtp_listeners[i].listen;
    auto port = smtp_servers[i]->start();
    if (!port) return fail_start("SMTP", listen, port.error());
    bound.smtp.push_back(*port);
    ready += std::string(smtp_listeners[i].implicit_tls ? " smtps=" : " smtp=") + host_of(listen) +
             ":" + std::to_string(*port);
  }
  if (pop3_server) {
    auto port = pop3_server->start();
    if (!port) return fail_start("POP3", config.pop3.server.listen, port.error());
    ready += " pop3=" + host_of(config.pop3.server.listen) + ":" + std::to_string(*port);
    bound.pop3 = *port;
  }
  if (imap_server) {
    const auto& o = config.imap.server;
    auto ports = imap_server->start();
    if (!ports) return fail_start("IMAP", o.listen + " " + o.tls_listen, ports.error());
    if (ports->plain) ready += " imap=" + host_of(o.listen) + ":" + std::to_string(ports->plain);
    if (ports->tls) ready += " imaps=" + host_of(o.tls_listen) + ":" + std::to_string(ports->tls);
    bound.imap = ports->plain;
    bound.imaps = ports->tls;
  }
  if (mx_server) {
    const auto& listen = config.inbox.mx_listen;
    auto port = mx_server->start();
    if (!port) return fail_start("SMTP (MX)", listen, port.error());
    ready += " mx=" + host_of(listen) + ":" + std::to_string(*port);
  }
  // Last on the line, so that readers of the earlier fields are not moved.
  if (http_server.tls_port()) {
    ready +=
        " https=" + host_of(config.http.tls_listen) + ":" + std::to_string(http_server.tls_port());
  }
  // Every TLS listener's certificate, read again on SIGHUP.
  Certificates certificates;
  auto reloads = [&certificates](std::string server, std::shared_ptr<net::ServerCertificate> c) {
    if (c) certificates.emplace_back(std::move(server), std::move(c));
  };
  reloads("https", http_server.tls_certificate());
  for (std::size_t i = 0; i < smtp_servers.size(); ++i)
    reloads("smtp " + smtp_listeners[i].listen, smtp_servers[i]->tls_certificate());
  if (mx_server) reloads("smtp (MX)", mx_server->tls_certificate());
  if (pop3_server) reloads("pop3", pop3_server->tls_certificate());
  if (imap_server) reloads("imap", imap_server->tls_certificate());
  client_settings.set(inbox_client_settings(config, &bound));
  routing.start();
  live->start();
  dispatcher.start(config.delivery.enabled);
  suppressions.start();
  webhook_io.start();
  webhook_sender.start();
  if (retention) retention->start();
  expiry.start();
  spdlog::info("postern ready: {} store={} providers={} delivery={}", ready,
               store::store_location(config.store), router.size(),
               config.delivery.enabled ? "on" : "off");

  int sig = 0;
  while ((sig = wait_for_signal(signals)) == SIGHUP) {
    reload_certificates(certificates);
    reload(config, routing);
  }
  spdlog::info("signal {} received: shutting down", sig);
  // /readyz says 503 from now on; while the drain lasts everything else
  // goes on, so that the load balancer moves new clients elsewhere first.
  stopping = true;
  drain(config.shutdown, signals);
  const auto stop_grace = config.shutdown.stop_grace;
  // Stop taking work, finish what is in flight, then flush and close.
  // Sync senders get their "still pending" answer now rather than at the
  // end of their wait.
  waiters.expire_all();
  for (auto& s : smtp_servers) s->stop(stop_grace);
  if (mx_server) mx_server->stop(stop_grace);
  if (pop3_server) pop3_server->stop(stop_grace);
  if (imap_server) imap_server->stop(stop_grace);
  http_server.stop(stop_grace);
  dispatcher.stop(stop_grace);
  live->stop();
  routing.stop();
  waiters.expire_all();
  if (retention) retention->stop();
  expiry.stop();
  suppressions.stop();
  // Attempts in flight are dropped unrecorded: their deliveries are
  // pending still, and go again (same webhook-id) after the restart.
  webhook_sender.stop();
  webhook_io.stop();
  key_uses.stop();  // its last flush goes through the writer before it closes
  (*store)->close();
  io.stop();
  spdlog::info("postern stopped");
  return 0;
}

}  // namespace postern::app
