// Reading one caught message over HTTP (docs/inbox.md "Reading over
// HTTP"): the message as JSON, its source, an attachment, its HTML
// sanitised for a browser.
#include <boost/json/array.hpp>

#include "core/time_format.h"
#include "http/handlers.h"
#include "http/inbox_access.h"
#include "http/query.h"
#include "http/reading_json.h"
#include "http/responses.h"
#include "mime/reading_view.h"

namespace postern::http {
namespace json = boost::json;
namespace {

json::object message_json(const OpenMessage& m, const mime::ReadingView& view) {
  auto out = reading_json(view, message_path(m.box.account.user, m.entry.entry.uid));
  const auto& e = m.entry.entry;
  out["uid"] = e.uid;
  out["seen"] = e.flags.has(store::SystemFlag::seen);
  out["size"] = e.size;
  out["received_at"] = format_rfc3339(e.internal_date);
  return out;
}

}  // namespace

void get_test_account_message(ApiServices& s, Call& call, net::Responder respond) {
  auto m = open_message(s, call, respond);
  if (!m) return;
  auto raw = message_bytes(s, m->entry.entry, respond);
  if (!raw) return;
  respond(json_response(200, message_json(*m, mime::read_view(*raw))));
}

void get_test_account_message_raw(ApiServices& s, Call& call, net::Responder respond) {
  auto m = open_message(s, call, respond);
  if (!m) return;
  auto raw = message_bytes(s, m->entry.entry, respond);
  if (!raw) return;
  net::HttpResponse r;
  r.content_type = "message/rfc822";
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.body = std::move(*raw);
  respond(std::move(r));
}

void get_test_account_attachment(ApiServices& s, Call& call, net::Responder respond) {
  auto m = open_message(s, call, respond);
  if (!m) return;
  auto raw = message_bytes(s, m->entry.entry, respond);
  if (!raw) return;
  respond(attachment_response(*raw, std::string(call.param("part"))));
}

void get_test_account_message_html(ApiServices& s, Call& call, net::Responder respond) {
  auto remote = remote_param(call.request.query);
  if (!remote) return respond(field_error_response(400, remote.error()));
  auto m = open_message(s, call, respond);
  if (!m) return;
  auto raw = message_bytes(s, m->entry.entry, respond);
  if (!raw) return;
  respond(
      html_response(*raw, message_path(m->box.account.user, m->entry.entry.uid), *remote, "uid"));
}

}  // namespace postern::http
