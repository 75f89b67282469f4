// English mail templates. Placeholders and sections: see internal::Template in mail.hpp.
#include "mail/mail.hpp"

namespace tribune::mail::internal {

const std::vector<Template>& TemplatesEn() {
  static const std::vector<Template> t = {
      {"confirm_account", "Confirm your {{site_name}} account",
       R"(Hello {{display_name}},

Welcome to {{site_name}}! Please confirm your e-mail address by opening this link:

{{link}}

If you did not create an account, just ignore this message.

— The {{site_name}} team
)",
       R"(<p>Hello {{display_name}},</p>
<p>Welcome to {{site_name}}! Please confirm your e-mail address:</p>
<p><a href="{{link}}">Confirm my address</a></p>
<p style="font-size: 0.9em; color: #555;">Or copy this link into your browser: {{link}}</p>
<p>If you did not create an account, just ignore this message.</p>
<p>— The {{site_name}} team</p>
)"},
      {"duplicate_registration", "Someone tried to sign up on {{site_name}} with your address",
       R"(Hello {{display_name}},

Someone just tried to create a {{site_name}} account with your e-mail address. You already have one, so nothing was changed.

If it was you, sign in here:
{{login_link}}

Forgot your password? Choose a new one here:
{{reset_link}}

If it was not you, you can ignore this message.

— The {{site_name}} team
)",
       R"(<p>Hello {{display_name}},</p>
<p>Someone just tried to create a {{site_name}} account with your e-mail address. You already have one, so nothing was changed.</p>
<p>If it was you, <a href="{{login_link}}">sign in here</a>. Forgot your password? <a href="{{reset_link}}">Choose a new one</a>.</p>
<p>If it was not you, you can ignore this message.</p>
<p>— The {{site_name}} team</p>
)"},
      {"password_reset", "Reset your {{site_name}} password",
       R"(Hello {{display_name}},

To choose a new password, open this link within {{minutes}} minutes:

{{link}}

If you did not ask for this, ignore this message: your password stays the same.

— The {{site_name}} team
)",
       R"(<p>Hello {{display_name}},</p>
<p>To choose a new password, open this link within {{minutes}} minutes:</p>
<p><a href="{{link}}">Choose a new password</a></p>
<p style="font-size: 0.9em; color: #555;">Or copy this link into your browser: {{link}}</p>
<p>If you did not ask for this, ignore this message: your password stays the same.</p>
<p>— The {{site_name}} team</p>
)"},
      {"password_changed", "Your {{site_name}} password was changed",
       R"(Hello {{display_name}},

Your {{site_name}} password was just changed, and every session was signed out. Sign in again with your new password.

If you did not do this, reset your password right away from the sign-in page at {{base_url}}.

— The {{site_name}} team
)",
       R"(<p>Hello {{display_name}},</p>
<p>Your {{site_name}} password was just changed, and every session was signed out. Sign in again with your new password.</p>
<p>If you did not do this, reset your password right away from the sign-in page at <a href="{{base_url}}">{{base_url}}</a>.</p>
<p>— The {{site_name}} team</p>
)"},
      {"account_deleted", "Your {{site_name}} account was deleted",
       R"(Hello {{display_name}},

Your {{site_name}} account was deleted. Changed your mind? You can restore it within {{days}} days with this link:

{{link}}

After that, the account is removed for good.

— The {{site_name}} team
)",
       R"(<p>Hello {{display_name}},</p>
<p>Your {{site_name}} account was deleted. Changed your mind? You can restore it within {{days}} days:</p>
<p><a href="{{link}}">Restore my account</a></p>
<p style="font-size: 0.9em; color: #555;">Or copy this link into your browser: {{link}}</p>
<p>After that, the account is removed for good.</p>
<p>— The {{site_name}} team</p>
)"},
      {"account_restored", "Your {{site_name}} account is back",
       R"(Hello {{display_name}},

Your {{site_name}} account was restored. Welcome back!

— The {{site_name}} team
)",
       R"(<p>Hello {{display_name}},</p>
<p>Your {{site_name}} account was restored. Welcome back!</p>
<p>— The {{site_name}} team</p>
)"},
      {"comment_rejected", "Your comment on “{{article_title}}” was not published",
       R"(Hello {{display_name}},

Your comment on “{{article_title}}” was not published because it breaks the rule “{{rule}}”.

{{reason}}

More details: {{link}}

— The {{site_name}} team
)",
       R"(<p>Hello {{display_name}},</p>
<p>Your comment on “{{article_title}}” was not published because it breaks the rule “{{rule}}”.</p>
<p>{{reason}}</p>
<p><a href="{{link}}">More details</a></p>
<p>— The {{site_name}} team</p>
)"},
      {"account_blocked", "Your {{site_name}} account is blocked",
       R"(Hello {{display_name}},

Your {{site_name}} account was blocked for breaking the rule “{{rule}}”.
{{#note}}
Moderator's note: {{note}}
{{/note}}{{#final=true}}
This block is final.
{{/final}}
If you think this is a mistake, you can appeal here:
{{appeal_link}}

— The {{site_name}} team
)",
       R"(<p>Hello {{display_name}},</p>
<p>Your {{site_name}} account was blocked for breaking the rule “{{rule}}”.</p>
{{#note}}<p>Moderator's note: {{note}}</p>
{{/note}}{{#final=true}}<p>This block is final.</p>
{{/final}}<p>If you think this is a mistake, you can <a href="{{appeal_link}}">appeal</a>.</p>
<p>— The {{site_name}} team</p>
)"},
      {"account_unblocked", "Your {{site_name}} account is unblocked",
       R"(Hello {{display_name}},

Your {{site_name}} account is unblocked. You can comment again.

— The {{site_name}} team
)",
       R"(<p>Hello {{display_name}},</p>
<p>Your {{site_name}} account is unblocked. You can comment again.</p>
<p>— The {{site_name}} team</p>
)"},
      {"appeal_decided", "Your {{site_name}} appeal was decided",
       R"(Hello {{display_name}},

{{#outcome=restored}}Good news: your appeal was accepted and your account is restored.
{{/outcome}}{{^outcome=restored}}Your appeal was reviewed and denied; the decision stands.
{{/outcome}}{{#note}}
Moderator's note: {{note}}
{{/note}}
— The {{site_name}} team
)",
       R"(<p>Hello {{display_name}},</p>
{{#outcome=restored}}<p>Good news: your appeal was accepted and your account is restored.</p>
{{/outcome}}{{^outcome=restored}}<p>Your appeal was reviewed and denied; the decision stands.</p>
{{/outcome}}{{#note}}<p>Moderator's note: {{note}}</p>
{{/note}}<p>— The {{site_name}} team</p>
)"},
      {"reply_notice", "{{replier_name}} replied to your comment on {{site_name}}",
       R"(Hello {{display_name}},

{{replier_name}} just replied to your comment on “{{article_title}}”:

    “{{excerpt}}”

Read the whole reply and answer it here:
{{link}}

— The {{site_name}} team

You get these e-mails because you asked for reply notices.
Change how often: {{settings_link}}
Stop them with one click: {{unsubscribe_link}}
)",
       R"(<p>Hello {{display_name}},</p>
<p>{{replier_name}} just replied to your comment on “{{article_title}}”:</p>
<blockquote style="margin: 1em 0; padding-left: 1em; border-left: 3px solid #ccc; color: #444; white-space: pre-line;">{{excerpt}}</blockquote>
<p><a href="{{link}}">Read the whole reply and answer it</a></p>
<p>— The {{site_name}} team</p>
<p style="font-size: 0.85em; color: #777;">You get these e-mails because you asked for reply notices. <a href="{{settings_link}}">Change how often</a> or <a href="{{unsubscribe_link}}">stop them with one click</a>.</p>
)"},
      {"reply_digest",
       "{{#count=1}}A new reply to your comments{{/count}}{{^count=1}}{{count}} new replies to your comments{{/count}} "
       "on {{site_name}}",
       R"(Hello {{display_name}},

{{#count=1}}You have a new reply to your comments on {{site_name}}:{{/count}}{{^count=1}}You have {{count}} new replies to your comments on {{site_name}}. Here is what people said:{{/count}}
{{@items}}
* {{replier_name}} on “{{article_title}}”:
    “{{excerpt}}”
  Read and answer: {{link}}
{{/items}}{{#more}}
…and {{more}} more {{#more=1}}reply{{/more}}{{^more=1}}replies{{/more}} waiting for you on {{site_name}}.
{{/more}}
— The {{site_name}} team

You get this digest because you asked for reply notices.
Change how often: {{settings_link}}
Turn it off with one click: {{unsubscribe_link}}
)",
       R"(<p>Hello {{display_name}},</p>
<p>{{#count=1}}You have a new reply to your comments on {{site_name}}:{{/count}}{{^count=1}}You have {{count}} new replies to your comments on {{site_name}}. Here is what people said:{{/count}}</p>
<ul style="padding-left: 1.2em;">
{{@items}}<li style="margin-bottom: 1em;"><strong>{{replier_name}}</strong> on “{{article_title}}”:
<blockquote style="margin: 0.3em 0; padding-left: 1em; border-left: 3px solid #ccc; color: #444; white-space: pre-line;">{{excerpt}}</blockquote>
<a href="{{link}}">Read and answer</a></li>
{{/items}}</ul>
{{#more}}<p>…and {{more}} more {{#more=1}}reply{{/more}}{{^more=1}}replies{{/more}} waiting for you on <a href="{{base_url}}">{{site_name}}</a>.</p>
{{/more}}<p>— The {{site_name}} team</p>
<p style="font-size: 0.85em; color: #777;">You get this digest because you asked for reply notices. <a href="{{settings_link}}">Change how often</a> or <a href="{{unsubscribe_link}}">turn it off with one click</a>.</p>
)"},
      {"newsletter_confirm", "Confirm your subscription to {{#topic_kind=all}}all news{{/topic_kind}}{{#topic_kind=section}}“{{topic_name}}”{{/topic_kind}}{{#topic_kind=tag}}“{{topic_name}}”{{/topic_kind}} on {{site_name}}",
       R"(Hello,

Someone, hopefully you, asked for a daily e-mail of the new articles of {{#topic_kind=all}}all news{{/topic_kind}}{{#topic_kind=section}}the section “{{topic_name}}”{{/topic_kind}}{{#topic_kind=tag}}the tag “{{topic_name}}”{{/topic_kind}} on {{site_name}}.

To start receiving it, confirm within {{hours}} hours by opening this link:

{{link}}

If you did not ask for this, ignore this message: you will get nothing more from us.

— The {{site_name}} team
)",
       R"(<p>Hello,</p>
<p>Someone, hopefully you, asked for a daily e-mail of the new articles of {{#topic_kind=all}}all news{{/topic_kind}}{{#topic_kind=section}}the section “{{topic_name}}”{{/topic_kind}}{{#topic_kind=tag}}the tag “{{topic_name}}”{{/topic_kind}} on {{site_name}}.</p>
<p>To start receiving it, confirm within {{hours}} hours:</p>
<p><a href="{{link}}">Confirm my subscription</a></p>
<p style="font-size: 0.9em; color: #555;">Or copy this link into your browser: {{link}}</p>
<p>If you did not ask for this, ignore this message: you will get nothing more from us.</p>
<p>— The {{site_name}} team</p>
)"},
      {"newsletter_digest", "{{#count=1}}A new article{{/count}}{{^count=1}}{{count}} new articles{{/count}} on {{site_name}}",
       R"({{#count=1}}Here is the new article{{/count}}{{^count=1}}Here are the new articles{{/count}} of your subscriptions on {{site_name}}:
{{@items}}{{#group}}
== {{#group_kind=all}}All news{{/group_kind}}{{#group_kind=section}}{{group_name}}{{/group_kind}}{{#group_kind=tag}}#{{group_name}}{{/group_kind}} ==
{{/group}}
* {{title}}
{{#lead}}  {{lead}}
{{/lead}}  Read: {{link}}
{{/items}}{{#more}}
There is more: see everything on {{base_url}}
{{/more}}
— The {{site_name}} team

You get this e-mail because you subscribed to it on {{site_name}}.
Unsubscribe with one click: {{unsubscribe_link}}
)",
       R"(<p>{{#count=1}}Here is the new article{{/count}}{{^count=1}}Here are the new articles{{/count}} of your subscriptions on {{site_name}}:</p>
{{@items}}{{#group}}<h2 style="font-size: 1.1em; margin: 1.2em 0 0.4em; border-bottom: 1px solid #ddd;">{{#group_kind=all}}All news{{/group_kind}}{{#group_kind=section}}{{group_name}}{{/group_kind}}{{#group_kind=tag}}#{{group_name}}{{/group_kind}}</h2>
{{/group}}<p style="margin: 0 0 0.9em;"><a href="{{link}}" style="font-weight: bold;">{{title}}</a>{{#lead}}<br>{{lead}}{{/lead}}</p>
{{/items}}{{#more}}<p><a href="{{base_url}}">There is more: see everything on {{base_url}}</a></p>
{{/more}}<p>— The {{site_name}} team</p>
<p style="font-size: 0.85em; color: #777;">You get this e-mail because you subscribed to it on {{site_name}}. <a href="{{unsubscribe_link}}">Unsubscribe with one click</a>.</p>
)"},
  };
  return t;
}

}  // namespace tribune::mail::internal
