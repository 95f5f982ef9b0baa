// build_new_message and the Received header: see message_builder.h.
#include "smtp/message_builder.h"

#include <algorithm>

#include "core/address.h"
#include "mime/date.h"
#include "mime/mime.h"

namespace postern::smtp {
namespace {

// The EHLO argument is the client's to choose: keep it from breaking the
// header's syntax (comments, folding) by allowing only domain and
// address-literal characters.
std::string sanitize_helo(std::string_view name) {
  std::string out;
  for (char c : name.substr(0, 255)) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view(".-_:[]").find(c) != std::string_view::npos;
    out.push_back(ok ? c : '_');
  }
  return out.empty() ? "unknown" : out;
}

std::string address_literal(std::string_view ip) {
  if (ip.find(':') != std::string_view::npos) return "[IPv6:" + std::string(ip) + "]";
  return "[" + std::string(ip) + "]";
}

std::string protocol(const ReceivedInfo& info) {
  std::string p = info.smtputf8 ? "UTF8SMTP" : (info.esmtp ? "ESMTP" : "SMTP");
  if (info.tls) p += "S";
  if (info.authenticated) p += "A";
  return p;
}

bool listed(const std::vector<Mailbox>& list, const std::string& normalized) {
  return std::any_of(list.begin(), list.end(),
                     [&](const Mailbox& m) { return normalize_address(m.address) == normalized; });
}

}  // namespace

std::string received_header(const ReceivedInfo& info, const std::vector<std::string>& recipients,
                            SystemTime now) {
  std::string h = "Received: from " + sanitize_helo(info.helo_name) + " (" +
                  address_literal(info.peer_address) + ")\r\n\tby " + info.hostname +
                  " (Postern) with " + protocol(info);
  if (info.tls && !info.tls_description.empty()) h += "\r\n\t(using " + info.tls_description + ")";
  if (recipients.size() == 1) h += "\r\n\tfor <" + recipients.front() + ">";
  h += ";\r\n\t" + mime::format_date(now) + "\r\n";
  return h;
}

std::optional<store::NewMessage> build_new_message(std::string data, Submission submission,
                                                   const ReceivedInfo& info, SystemTime now) {
  auto summary = mime::summarize(data);
  // An error naming no field means the header block itself did not parse.
  if (!summary && summary.error().field.empty()) return std::nullopt;

  store::NewMessage m;
  m.format = ContentFormat::mime;
  // In the buffer the data arrived in: a big message is not copied.
  mime::strip_bcc_and_prepend(data, received_header(info, submission.recipients, now));
  m.content = std::move(data);
  m.envelope.sender = std::move(submission.sender);
  for (auto& rcpt : submission.recipients) {
    auto kind = RecipientKind::to;
    if (summary) {
      auto normalized = normalize_address(rcpt);
      kind = listed(summary->to, normalized)   ? RecipientKind::to
             : listed(summary->cc, normalized) ? RecipientKind::cc
                                               : RecipientKind::bcc;
    }
    m.envelope.recipients.push_back({std::move(rcpt), kind});
  }
  if (summary) m.subject = std::move(summary->subject);
  m.submitted_by = std::move(submission.submitted_by);
  m.source = "smtp";
  return m;
}

}  // namespace postern::smtp
