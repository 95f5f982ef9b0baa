#include "sim/control/control_api.h"

#include <boost/json.hpp>
#include <charconv>

#include "core/percent.h"
#include "sim/common/http_util.h"

namespace postern::sim {

namespace {

net::HttpResponse error(int status, std::string_view message) {
  return json_response(status, boost::json::object{{"error", message}});
}

// One query parameter, percent-decoded; "" when absent or when the query
// is malformed.
std::string query_value(std::string_view query, std::string_view name) {
  auto pairs = parse_query(query);
  if (!pairs) return "";
  for (auto& [key, value] : *pairs) {
    if (key == name) return std::move(value);
  }
  return "";
}

boost::json::object status_json(const ServiceStatus& s) {
  auto out = to_json(s.faults);
  out["listening"] = s.listening;
  out["address"] = host_port(s.host, s.port);
  return out;
}

std::vector<Service> started(const std::vector<ServiceStatus>& status) {
  std::vector<Service> out;
  for (const auto& s : status) out.push_back(s.service);
  return out;
}

}  // namespace

void ControlApi::handle(net::HttpRequest&& request, net::Responder respond) {
  auto segs = path_segments(request.path);
  if (segs.empty() || segs[0] != "_sim")
    return respond(error(404, "not a control API path; see docs/simulator.md"));
  auto route = segs.size() > 1 ? segs[1] : std::string_view();
  const bool get = request.method == "GET";

  if (route == "health" && get)
    return respond(json_response(200, boost::json::object{{"ok", true}}));
  if (route == "stats" && get) return respond(stats(request));
  if (route == "messages" && get) {
    // "/_sim/messages/" (no id) lists the messages that carried none.
    std::string id = segs.size() > 2 ? percent_decode(segs[2]) : "";
    auto found = target_.ledger().receipts_json(id);
    if (!found) return respond(error(404, "nothing was received with postern id \"" + id + "\""));
    return respond(json_response(200, *found));
  }
  if (route == "reset" && request.method == "POST") {
    return target_.reset([respond] {
      respond(json_response(200, boost::json::object{{"ok", true}}));
    });
  }
  if (route == "webhooks" || route == "sns") {
    auto* hooks = target_.webhooks();
    if (!hooks) return respond(error(404, "this simulator sends no webhooks"));
    return respond(route == "sns" ? sns(request, *hooks) : webhooks(request, *hooks));
  }
  if (route == "faults" && segs.size() == 2 && get) return respond(faults_listing());
  if (route == "faults" && segs.size() == 3) {
    auto service = parse_service(segs[2]);
    if (!service) return respond(error(404, "unknown service \"" + std::string(segs[2]) + "\""));
    return faults(request, *service, respond);
  }
  respond(error(404, "no such control route: " + request.method + " " + request.path));
}

net::HttpResponse ControlApi::stats(const net::HttpRequest& request) const {
  StatsQuery query;
  query.all_ids = query_value(request.query, "ids") == "all";
  auto limit = query_value(request.query, "limit");
  if (!limit.empty()) {
    std::size_t n = 0;
    auto [p, ec] = std::from_chars(limit.data(), limit.data() + limit.size(), n);
    if (ec != std::errc() || p != limit.data() + limit.size())
      return error(400, "limit: expected a number");
    query.list_limit = n;
  }
  auto status = target_.status();
  auto out = target_.ledger().stats_json(query, started(status));
  auto& services = out["services"].as_object();
  for (const auto& s : status) {
    auto& entry = services[service_name(s.service)].as_object();
    entry["listening"] = s.listening;
    entry["address"] = host_port(s.host, s.port);
  }
  return json_response(200, out);
}

net::HttpResponse ControlApi::webhooks(const net::HttpRequest& request, WebhookControl& hooks) {
  auto segs = path_segments(request.path);
  const auto& method = request.method;
  if (segs.size() == 2 && method == "GET") {
    boost::json::object out;
    for (auto s : kAllServices) {
      if (s != Service::smtp) out[service_name(s)] = hooks.status(s);
    }
    return json_response(200, out);
  }
  auto service = segs.size() == 3 ? parse_service(segs[2]) : std::nullopt;
  if (!service || *service == Service::smtp)
    return error(404, "webhooks are per service: mailgun, sendgrid, ses or postmark");
  if (method == "GET") return json_response(200, hooks.status(*service));
  boost::json::object settings;
  if (method == "POST" || method == "PUT") {
    boost::system::error_code ec;
    auto parsed =
        boost::json::parse(request.body.empty() ? std::string_view("{}") : request.body, ec);
    if (ec || !parsed.is_object()) return error(400, "expected a JSON object of webhook settings");
    settings = std::move(parsed.get_object());
  } else if (method != "DELETE") {
    return error(405, "use GET, POST (merge), PUT (replace) or DELETE (back to the defaults)");
  }
  const bool fresh = method != "POST";
  auto updated =
      hooks.update(*service, [&](const WebhookSpec& current) -> Result<WebhookSpec, Problem> {
        WebhookSpec spec = fresh ? WebhookSpec{} : current;
        if (auto r = apply_json(spec, settings); !r) return r.error();
        return spec;
      });
  if (!updated) return error(400, updated.error().message);
  return json_response(200, hooks.status(*service));
}

net::HttpResponse ControlApi::sns(const net::HttpRequest& request, WebhookControl& hooks) {
  // The simulated SNS's certificate (SigningCertURL) and SubscribeURL.
  if (request.method != "GET") return error(405, "GET only");
  if (request.path.ends_with(kSnsCertificatePath))
    return text_response(200, hooks.sns_certificate(), "application/x-x509-ca-cert");
  auto action = query_value(request.query, "Action");
  if (action == "ConfirmSubscription") {
    if (!hooks.confirm_subscription(query_value(request.query, "Token")))
      return text_response(
          404, "<ErrorResponse><Error><Code>NotFound</Code></Error></ErrorResponse>", "text/xml");
    return text_response(200,
                         "<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>"
                         "sim-subscription</SubscriptionArn></ConfirmSubscriptionResult>"
                         "</ConfirmSubscriptionResponse>",
                         "text/xml");
  }
  if (action == "Unsubscribe") return text_response(200, "<UnsubscribeResponse/>", "text/xml");
  return error(404, "no such SNS route");
}

net::HttpResponse ControlApi::faults_listing() const {
  boost::json::object out;
  for (const auto& s : target_.status()) out[service_name(s.service)] = status_json(s);
  return json_response(200, out);
}

void ControlApi::faults(const net::HttpRequest& request, Service service, net::Responder respond) {
  const auto& method = request.method;
  if (method == "GET") {
    for (const auto& s : target_.status()) {
      if (s.service == service) return respond(json_response(200, status_json(s)));
    }
    return respond(error(404, std::string(service_name(service)) + " is not started"));
  }
  boost::json::object settings;
  if (method == "POST" || method == "PUT") {
    boost::system::error_code ec;
    auto parsed =
        boost::json::parse(request.body.empty() ? std::string_view("{}") : request.body, ec);
    if (ec || !parsed.is_object())
      return respond(error(400, "expected a JSON object of fault settings"));
    settings = std::move(parsed.get_object());
  } else if (method != "DELETE") {
    return respond(error(405, "use GET, POST (merge), PUT (replace) or DELETE (clear)"));
  }
  // PUT replaces, DELETE clears, POST merges into what is set.
  const bool fresh = method != "POST";
  auto change = [settings = std::move(settings),
                 fresh](const FaultSpec& current) -> Result<FaultSpec, Problem> {
    FaultSpec spec = fresh ? FaultSpec{} : current;
    if (auto r = apply_json(spec, settings); !r) return r.error();
    return spec;
  };
  target_.update_faults(service, std::move(change), [respond](Result<FaultSpec, Problem> result) {
    if (!result) return respond(error(400, result.error().message));
    respond(json_response(200, to_json(*result)));
  });
}

}  // namespace postern::sim
