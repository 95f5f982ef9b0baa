// A stored message on its way to a provider, with the two views providers
// need built on first use: the structured message (JSON-only APIs) and the
// RFC 5322 bytes (raw-MIME APIs, SMTP relays). Immutable once built; shared
// between the attempts of one delivery.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/message.h"
#include "core/message_id.h"

namespace postern::providers {

class OutboundMessage {
 public:
  OutboundMessage(MessageId id, ContentFormat format, std::string content, Envelope envelope,
                  std::vector<std::string> tags, SystemTime created_at);

  MessageId id() const { return id_; }
  // The Postern id as users see it; providers attach it to the message
  // (custom args, variables, metadata or a header) so that their events can
  // be matched later.
  const std::string& id_string() const { return id_string_; }
  const Envelope& envelope() const { return envelope_; }
  const std::vector<std::string>& tags() const { return tags_; }
  ContentFormat format() const { return format_; }
  const std::string& content() const { return body_->content; }
  SystemTime created_at() const { return created_at_; }
  // The test account (store::AccountId) the message is caught for, 0 for
  // ordinary mail: caught mail goes to the capture provider, never routed.
  std::int64_t catch_account() const { return catch_account_; }
  void set_catch_account(std::int64_t account) { catch_account_ = account; }

  // The structured message (mime::read_stored): parsed JSON, or the raw
  // message parsed with GMime. Errc::corrupt when the stored content cannot
  // be decoded.
  // Thread-safe; the pointer lives as long as this object.
  Result<const Message*> structured() const;

  // The message as sent (mime/outbound.h): raw content through
  // mime::render_raw, the structure through mime::render_built with the
  // date of creation; built once and shared with for_recipients' parts.
  // Thread-safe; the pointer lives as long as this.
  Result<const std::string*> mime() const;

  // The same message for some of its recipients: one part of a message
  // with more recipients than any provider of its pool takes in one send.
  // It shares this one's content and the views built from it (neither
  // depends on the envelope), so a part costs no copy and no second parse.
  std::shared_ptr<const OutboundMessage> for_recipients(std::vector<Recipient> recipients) const;

 private:
  struct Body {
    std::string content;
    std::mutex mu;
    std::optional<Result<Message>> structured;  // guarded by mu
    std::optional<Result<std::string>> mime;    // guarded by mu
  };

  MessageId id_;
  std::string id_string_;
  ContentFormat format_;
  std::shared_ptr<Body> body_;
  Envelope envelope_;
  std::vector<std::string> tags_;
  SystemTime created_at_;
  std::int64_t catch_account_ = 0;
};

}  // namespace postern::providers
