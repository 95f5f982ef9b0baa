#include "sim/webhooks/webhook_format.h"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

namespace postern::sim {

WebhookTarget webhook_target(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || !parsed->has_userinfo()) return {url, "", ""};
  boost::urls::url clean(*parsed);
  WebhookTarget out{"", clean.user(), clean.password()};
  clean.remove_userinfo();
  out.url = std::string(clean.buffer());
  return out;
}

std::vector<WebhookPost> build_webhooks(const AcceptedMessage& m, const WebhookContext& c) {
  switch (m.service) {
    case Service::mailgun:
      return mailgun_events(m, c);
    case Service::sendgrid:
      return sendgrid_events(m, c);
    case Service::ses:
      return sns_events(m, c);
    case Service::postmark:
      return postmark_events(m, c);
    case Service::smtp:
      break;
  }
  return {};
}

bool retried_after(const WebhookPost& post, int status) {
  if (!post.retried || (status >= 200 && status < 300)) return false;
  // A final status of 0 means none: no answer is still retried.
  return status == 0 || status != post.final_status;
}

}  // namespace postern::sim
