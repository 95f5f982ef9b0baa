#include "providers/outbound_message.h"

#include "core/message_json.h"
#include "mime/mime.h"

namespace postern::providers {

OutboundMessage::OutboundMessage(MessageId id, ContentFormat format, std::string content,
                                 Envelope envelope, std::vector<std::string> tags,
                                 SystemTime created_at)
    : id_(id),
      id_string_(id.to_string()),
      format_(format),
      body_(std::make_shared<Body>()),
      envelope_(std::move(envelope)),
      tags_(std::move(tags)),
      created_at_(created_at) {
  body_->content = std::move(content);
}

std::shared_ptr<const OutboundMessage> OutboundMessage::for_recipients(
    std::vector<Recipient> recipients) const {
  auto part = std::make_shared<OutboundMessage>(*this);
  part->envelope_.recipients = std::move(recipients);
  return part;
}

Result<const Message*> OutboundMessage::structured() const {
  std::lock_guard lock(body_->mu);
  auto& structured = body_->structured;
  if (!structured) {
    const auto& content = body_->content;
    if (format_ == ContentFormat::json) {
      // Stored content was validated at intake; limits were checked then.
      auto parsed = message_from_json(content, MessageLimits::unlimited());
      structured =
          parsed ? Result<Message>(std::move(*parsed)) : Result<Message>(error_code(Errc::corrupt));
    } else {
      auto parsed = mime::parse_message(content);
      structured = parsed ? std::move(parsed) : Result<Message>(error_code(Errc::corrupt));
    }
  }
  if (!*structured) return structured->error();
  return &structured->value();
}

Result<const std::string*> OutboundMessage::mime() const {
  auto& built = body_->mime;
  if (format_ == ContentFormat::json) {
    auto message = structured();
    if (!message) return message.error();
    std::lock_guard lock(body_->mu);
    if (!built) {
      mime::BuildOptions options{message_id(), created_at_, {{"X-Postern-Id", id_string_}}};
      built = mime::build_message(**message, options);
    }
  } else {
    // Raw mail keeps its bytes; only Bcc goes, and a trace field naming the
    // Postern message goes on top (as MTAs prepend Received), so that
    // providers' events and relays can be matched to it.
    std::lock_guard lock(body_->mu);
    if (!built) built = "X-Postern-Id: " + id_string_ + "\r\n" + mime::strip_bcc(body_->content);
  }
  std::lock_guard lock(body_->mu);
  return &built->value();
}

}  // namespace postern::providers
