#include "providers/outbound_message.h"

#include "mime/outbound.h"

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
  if (!structured) structured = mime::read_stored(format_, body_->content);
  if (!*structured) return structured->error();
  return &structured->value();
}

Result<const std::string*> OutboundMessage::mime() const {
  auto& built = body_->mime;
  if (format_ == ContentFormat::json) {
    auto message = structured();
    if (!message) return message.error();
    std::lock_guard lock(body_->mu);
    if (!built) built = mime::render_built(**message, id_string_, created_at_);
  } else {
    std::lock_guard lock(body_->mu);
    if (!built) built = mime::render_raw(body_->content, id_string_);
  }
  std::lock_guard lock(body_->mu);
  return &built->value();
}

}  // namespace postern::providers
