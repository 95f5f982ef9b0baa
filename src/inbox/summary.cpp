// The summary of a caught message, from the two views src/mime gives.
#include "inbox/summary.h"

#include <utility>

#include "mime/imap_structure.h"
#include "mime/message_view.h"

namespace postern::inbox {

store::BlobSummary summarize(std::string_view raw) {
  mime::MessageView view = mime::view_message(raw);
  mime::ImapStructure imap = mime::imap_structure(raw);
  store::BlobSummary out;
  out.from = std::move(view.from);
  out.to = std::move(view.to);
  out.cc = std::move(view.cc);
  out.subject = std::move(view.subject);
  out.message_id = std::move(view.message_id);
  out.date = view.date;
  out.has_attachments = view.has_attachments;
  out.text = std::move(view.text);
  out.envelope = std::move(imap.envelope);
  out.body_structure = std::move(imap.body_structure);
  out.body = std::move(imap.body);
  return out;
}

}  // namespace postern::inbox
