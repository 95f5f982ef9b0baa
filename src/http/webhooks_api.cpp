// POST /v1/webhooks/{provider}: provider event webhooks in (docs/events.md,
// "Webhooks in"). No API key: each provider's own signature or credentials
// are checked by the receiver (events/webhook_receiver.h).
#include "events/webhook_receiver.h"
#include "http/handlers.h"
#include "http/responses.h"

namespace postern::http {

namespace json = boost::json;

void receive_webhook(ApiServices& s, Call& call, net::Responder respond) {
  if (!s.webhooks) {
    return respond(
        error_response(404, "unknown_webhook", "this node takes no provider webhooks", "provider"));
  }
  s.webhooks->receive(std::string(call.param("provider")), call.request.headers, call.request.body,
                      [respond](events::WebhookAnswer a) {
                        if (a.status != 200) {
                          auto r = error_response(a.status, a.code, a.message, a.field);
                          if (a.status == 503) r.headers.emplace_back("Retry-After", "10");
                          return respond(std::move(r));
                        }
                        json::object body{{"recorded", a.recorded},
                                          {"unmatched", a.unmatched},
                                          {"duplicates", a.duplicates},
                                          {"ignored", a.ignored}};
                        if (!a.note.empty()) body["note"] = a.note;
                        respond(json_response(200, body));
                      });
}

}  // namespace postern::http
