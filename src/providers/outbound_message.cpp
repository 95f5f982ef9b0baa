#include "providers/outbound_message.h"

#include "core/message_json.h"
#include "mime/mime.h"

namespace postern::providers {

OutboundMessage::OutboundMessage(MessageId id, ContentFormat format, std::string content, Envelope envelope,
                                 std::vector<std::string> tags, SystemTime created_at)
    : id_(id),
      id_string_(id.to_string()),
      format_(format),
      content_(std::move(content)),
      envelope_(std::move(envelope)),
      tags_(std::move(tags)),
      created_at_(created_at) {}

std::shared_ptr<const OutboundMessage> OutboundMessage::for_recipients(std::vector<Recipient> recipients) const {
  return std::make_shared<OutboundMessage>(id_, format_, content_, Envelope{envelope_.sender, std::move(recipients)},
                                           tags_, created_at_);
}

Result<const Message*> OutboundMessage::structured() const {
  std::lock_guard lock(mu_);
  if (!structured_) {
    if (format_ == ContentFormat::json) {
      // Stored content was validated at intake; limits were checked then.
      auto parsed = message_from_json(content_, MessageLimits::unlimited());
      structured_ = parsed ? Result<Message>(std::move(*parsed)) : Result<Message>(error_code(Errc::corrupt));
    } else {
      auto parsed = mime::parse_message(content_);
      structured_ = parsed ? std::move(parsed) : Result<Message>(error_code(Errc::corrupt));
    }
  }
  if (!*structured_) return structured_->error();
  return &structured_->value();
}

Result<const std::string*> OutboundMessage::mime() const {
  if (format_ == ContentFormat::json) {
    auto message = structured();
    if (!message) return message.error();
    std::lock_guard lock(mu_);
    if (!mime_) {
      mime::BuildOptions options{message_id(), created_at_, {{"X-Postern-Id", id_string_}}};
      mime_ = mime::build_message(**message, options);
    }
  } else {
    // Raw mail keeps its bytes; only Bcc goes, and a trace field naming the
    // Postern message goes on top (as MTAs prepend Received), so that
    // providers' events and relays can be matched to it.
    std::lock_guard lock(mu_);
    if (!mime_) mime_ = "X-Postern-Id: " + id_string_ + "\r\n" + mime::strip_bcc(content_);
  }
  std::lock_guard lock(mu_);
  return &mime_->value();
}

}  // namespace postern::providers
