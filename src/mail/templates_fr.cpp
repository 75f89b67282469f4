// Modèles de courriels en français. Syntaxe : voir internal::Template dans mail.hpp.
#include "mail/mail.hpp"

namespace tribune::mail::internal {

const std::vector<Template>& TemplatesFr() {
  static const std::vector<Template> t = {
      {"confirm_account", "Confirmez votre compte {{site_name}}",
       R"(Bonjour {{display_name}},

Bienvenue sur {{site_name}} ! Pour confirmer votre adresse e-mail, ouvrez ce lien :

{{link}}

Si vous n'avez pas créé de compte, ignorez simplement ce message.

— L'équipe {{site_name}}
)",
       R"(<p>Bonjour {{display_name}},</p>
<p>Bienvenue sur {{site_name}} ! Merci de confirmer votre adresse e-mail :</p>
<p><a href="{{link}}">Confirmer mon adresse</a></p>
<p style="font-size: 0.9em; color: #555;">Ou copiez ce lien dans votre navigateur : {{link}}</p>
<p>Si vous n'avez pas créé de compte, ignorez simplement ce message.</p>
<p>— L'équipe {{site_name}}</p>
)"},
      {"duplicate_registration", "Quelqu'un a tenté de s'inscrire sur {{site_name}} avec votre adresse",
       R"(Bonjour {{display_name}},

Quelqu'un vient d'essayer de créer un compte {{site_name}} avec votre adresse e-mail. Vous en avez déjà un : rien n'a été modifié.

Si c'était vous, connectez-vous ici :
{{login_link}}

Mot de passe oublié ? Choisissez-en un nouveau ici :
{{reset_link}}

Si ce n'était pas vous, vous pouvez ignorer ce message.

— L'équipe {{site_name}}
)",
       R"(<p>Bonjour {{display_name}},</p>
<p>Quelqu'un vient d'essayer de créer un compte {{site_name}} avec votre adresse e-mail. Vous en avez déjà un : rien n'a été modifié.</p>
<p>Si c'était vous, <a href="{{login_link}}">connectez-vous ici</a>. Mot de passe oublié ? <a href="{{reset_link}}">Choisissez-en un nouveau</a>.</p>
<p>Si ce n'était pas vous, vous pouvez ignorer ce message.</p>
<p>— L'équipe {{site_name}}</p>
)"},
      {"password_reset", "Réinitialisez votre mot de passe {{site_name}}",
       R"(Bonjour {{display_name}},

Pour choisir un nouveau mot de passe, ouvrez ce lien dans les {{minutes}} minutes :

{{link}}

Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.

— L'équipe {{site_name}}
)",
       R"(<p>Bonjour {{display_name}},</p>
<p>Pour choisir un nouveau mot de passe, ouvrez ce lien dans les {{minutes}} minutes :</p>
<p><a href="{{link}}">Choisir un nouveau mot de passe</a></p>
<p style="font-size: 0.9em; color: #555;">Ou copiez ce lien dans votre navigateur : {{link}}</p>
<p>Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.</p>
<p>— L'équipe {{site_name}}</p>
)"},
      {"password_changed", "Votre mot de passe {{site_name}} a été modifié",
       R"(Bonjour {{display_name}},

Votre mot de passe {{site_name}} vient d'être modifié et toutes vos sessions ont été fermées. Reconnectez-vous avec votre nouveau mot de passe.

Si ce n'était pas vous, réinitialisez tout de suite votre mot de passe depuis la page de connexion sur {{base_url}}.

— L'équipe {{site_name}}
)",
       R"(<p>Bonjour {{display_name}},</p>
<p>Votre mot de passe {{site_name}} vient d'être modifié et toutes vos sessions ont été fermées. Reconnectez-vous avec votre nouveau mot de passe.</p>
<p>Si ce n'était pas vous, réinitialisez tout de suite votre mot de passe depuis la page de connexion sur <a href="{{base_url}}">{{base_url}}</a>.</p>
<p>— L'équipe {{site_name}}</p>
)"},
      {"account_deleted", "Votre compte {{site_name}} a été supprimé",
       R"(Bonjour {{display_name}},

Votre compte {{site_name}} a été supprimé. Vous avez changé d'avis ? Vous pouvez le restaurer pendant {{days}} jours avec ce lien :

{{link}}

Passé ce délai, le compte sera définitivement effacé.

— L'équipe {{site_name}}
)",
       R"(<p>Bonjour {{display_name}},</p>
<p>Votre compte {{site_name}} a été supprimé. Vous avez changé d'avis ? Vous pouvez le restaurer pendant {{days}} jours :</p>
<p><a href="{{link}}">Restaurer mon compte</a></p>
<p style="font-size: 0.9em; color: #555;">Ou copiez ce lien dans votre navigateur : {{link}}</p>
<p>Passé ce délai, le compte sera définitivement effacé.</p>
<p>— L'équipe {{site_name}}</p>
)"},
      {"account_restored", "Votre compte {{site_name}} est de retour",
       R"(Bonjour {{display_name}},

Votre compte {{site_name}} a été restauré. Bon retour parmi nous !

— L'équipe {{site_name}}
)",
       R"(<p>Bonjour {{display_name}},</p>
<p>Votre compte {{site_name}} a été restauré. Bon retour parmi nous !</p>
<p>— L'équipe {{site_name}}</p>
)"},
      {"comment_rejected", "Votre commentaire sur « {{article_title}} » n'a pas été publié",
       R"(Bonjour {{display_name}},

Votre commentaire sur « {{article_title}} » n'a pas été publié, car il enfreint la règle « {{rule}} ».

{{reason}}

Plus de détails : {{link}}

— L'équipe {{site_name}}
)",
       R"(<p>Bonjour {{display_name}},</p>
<p>Votre commentaire sur « {{article_title}} » n'a pas été publié, car il enfreint la règle « {{rule}} ».</p>
<p>{{reason}}</p>
<p><a href="{{link}}">Plus de détails</a></p>
<p>— L'équipe {{site_name}}</p>
)"},
      {"account_blocked", "Votre compte {{site_name}} est bloqué",
       R"(Bonjour {{display_name}},

Votre compte {{site_name}} a été bloqué pour non-respect de la règle « {{rule}} ».
{{#note}}
Note du modérateur : {{note}}
{{/note}}{{#final=true}}
Ce blocage est définitif.
{{/final}}
Si vous pensez qu'il s'agit d'une erreur, vous pouvez faire appel ici :
{{appeal_link}}

— L'équipe {{site_name}}
)",
       R"(<p>Bonjour {{display_name}},</p>
<p>Votre compte {{site_name}} a été bloqué pour non-respect de la règle « {{rule}} ».</p>
{{#note}}<p>Note du modérateur : {{note}}</p>
{{/note}}{{#final=true}}<p>Ce blocage est définitif.</p>
{{/final}}<p>Si vous pensez qu'il s'agit d'une erreur, vous pouvez <a href="{{appeal_link}}">faire appel</a>.</p>
<p>— L'équipe {{site_name}}</p>
)"},
      {"account_unblocked", "Votre compte {{site_name}} est débloqué",
       R"(Bonjour {{display_name}},

Votre compte {{site_name}} est débloqué. Vous pouvez de nouveau commenter.

— L'équipe {{site_name}}
)",
       R"(<p>Bonjour {{display_name}},</p>
<p>Votre compte {{site_name}} est débloqué. Vous pouvez de nouveau commenter.</p>
<p>— L'équipe {{site_name}}</p>
)"},
      {"appeal_decided", "Votre appel sur {{site_name}} a été examiné",
       R"(Bonjour {{display_name}},

{{#outcome=restored}}Bonne nouvelle : votre appel a été accepté et votre compte est rétabli.
{{/outcome}}{{^outcome=restored}}Votre appel a été examiné et rejeté ; la décision est maintenue.
{{/outcome}}{{#note}}
Note du modérateur : {{note}}
{{/note}}
— L'équipe {{site_name}}
)",
       R"(<p>Bonjour {{display_name}},</p>
{{#outcome=restored}}<p>Bonne nouvelle : votre appel a été accepté et votre compte est rétabli.</p>
{{/outcome}}{{^outcome=restored}}<p>Votre appel a été examiné et rejeté ; la décision est maintenue.</p>
{{/outcome}}{{#note}}<p>Note du modérateur : {{note}}</p>
{{/note}}<p>— L'équipe {{site_name}}</p>
)"},
      {"reply_notice", "{{replier_name}} a répondu à votre commentaire sur {{site_name}}",
       R"(Bonjour {{display_name}},

{{replier_name}} vient de répondre à votre commentaire sur l'article « {{article_title}} » :

    « {{excerpt}} »

Pour lire la réponse en entier et poursuivre la conversation, c'est par ici :
{{link}}

— L'équipe {{site_name}}

Vous recevez ces e-mails parce que vous avez activé les notifications de réponses.
Choisir leur fréquence : {{settings_link}}
Les désactiver en un clic : {{unsubscribe_link}}
)",
       R"(<p>Bonjour {{display_name}},</p>
<p>{{replier_name}} vient de répondre à votre commentaire sur l'article « {{article_title}} » :</p>
<blockquote style="margin: 1em 0; padding-left: 1em; border-left: 3px solid #ccc; color: #444; white-space: pre-line;">{{excerpt}}</blockquote>
<p><a href="{{link}}">Lire la réponse et poursuivre la conversation</a></p>
<p>— L'équipe {{site_name}}</p>
<p style="font-size: 0.85em; color: #777;">Vous recevez ces e-mails parce que vous avez activé les notifications de réponses. <a href="{{settings_link}}">Choisir leur fréquence</a> ou <a href="{{unsubscribe_link}}">les désactiver en un clic</a>.</p>
)"},
      {"reply_digest",
       "{{#count=1}}Une nouvelle réponse à vos commentaires{{/count}}{{^count=1}}{{count}} nouvelles réponses à vos "
       "commentaires{{/count}} sur {{site_name}}",
       R"(Bonjour {{display_name}},

{{#count=1}}Vous avez reçu une nouvelle réponse à vos commentaires sur {{site_name}} :{{/count}}{{^count=1}}Vous avez reçu {{count}} nouvelles réponses à vos commentaires sur {{site_name}}. Voici ce qu'on vous a répondu :{{/count}}
{{@items}}
* {{replier_name}}, sur « {{article_title}} » :
    « {{excerpt}} »
  Lire et répondre : {{link}}
{{/items}}{{#more}}
… et {{#more=1}}une autre réponse vous attend{{/more}}{{^more=1}}{{more}} autres réponses vous attendent{{/more}} sur {{site_name}}.
{{/more}}
— L'équipe {{site_name}}

Vous recevez ce récapitulatif parce que vous avez activé les notifications de réponses.
Choisir sa fréquence : {{settings_link}}
Le désactiver en un clic : {{unsubscribe_link}}
)",
       R"(<p>Bonjour {{display_name}},</p>
<p>{{#count=1}}Vous avez reçu une nouvelle réponse à vos commentaires sur {{site_name}} :{{/count}}{{^count=1}}Vous avez reçu {{count}} nouvelles réponses à vos commentaires sur {{site_name}}. Voici ce qu'on vous a répondu :{{/count}}</p>
<ul style="padding-left: 1.2em;">
{{@items}}<li style="margin-bottom: 1em;"><strong>{{replier_name}}</strong>, sur « {{article_title}} » :
<blockquote style="margin: 0.3em 0; padding-left: 1em; border-left: 3px solid #ccc; color: #444; white-space: pre-line;">{{excerpt}}</blockquote>
<a href="{{link}}">Lire et répondre</a></li>
{{/items}}</ul>
{{#more}}<p>… et {{#more=1}}une autre réponse vous attend{{/more}}{{^more=1}}{{more}} autres réponses vous attendent{{/more}} sur <a href="{{base_url}}">{{site_name}}</a>.</p>
{{/more}}<p>— L'équipe {{site_name}}</p>
<p style="font-size: 0.85em; color: #777;">Vous recevez ce récapitulatif parce que vous avez activé les notifications de réponses. <a href="{{settings_link}}">Choisir sa fréquence</a> ou <a href="{{unsubscribe_link}}">le désactiver en un clic</a>.</p>
)"},
      {"newsletter_confirm", "Confirmez votre abonnement à {{#topic_kind=all}}toute l’actualité{{/topic_kind}}{{#topic_kind=section}}« {{topic_name}} »{{/topic_kind}}{{#topic_kind=tag}}« {{topic_name}} »{{/topic_kind}} sur {{site_name}}",
       R"(Bonjour,

Quelqu’un, vous sans doute, a demandé à recevoir chaque jour par e-mail les nouveaux articles de {{#topic_kind=all}}toute l’actualité{{/topic_kind}}{{#topic_kind=section}}la rubrique « {{topic_name}} »{{/topic_kind}}{{#topic_kind=tag}}le mot-clé « {{topic_name}} »{{/topic_kind}} sur {{site_name}}.

Pour commencer à les recevoir, confirmez dans les {{hours}} heures en ouvrant ce lien :

{{link}}

Si vous n’avez rien demandé, ignorez ce message : vous ne recevrez plus rien de notre part.

— L’équipe {{site_name}}
)",
       R"(<p>Bonjour,</p>
<p>Quelqu’un, vous sans doute, a demandé à recevoir chaque jour par e-mail les nouveaux articles de {{#topic_kind=all}}toute l’actualité{{/topic_kind}}{{#topic_kind=section}}la rubrique « {{topic_name}} »{{/topic_kind}}{{#topic_kind=tag}}le mot-clé « {{topic_name}} »{{/topic_kind}} sur {{site_name}}.</p>
<p>Pour commencer à les recevoir, confirmez dans les {{hours}} heures :</p>
<p><a href="{{link}}">Confirmer mon abonnement</a></p>
<p style="font-size: 0.9em; color: #555;">Ou copiez ce lien dans votre navigateur : {{link}}</p>
<p>Si vous n’avez rien demandé, ignorez ce message : vous ne recevrez plus rien de notre part.</p>
<p>— L’équipe {{site_name}}</p>
)"},
      {"newsletter_digest", "{{#count=1}}Un nouvel article{{/count}}{{^count=1}}{{count}} nouveaux articles{{/count}} sur {{site_name}}",
       R"({{#count=1}}Voici le nouvel article{{/count}}{{^count=1}}Voici les nouveaux articles{{/count}} de vos abonnements sur {{site_name}} :
{{@items}}{{#group}}
== {{#group_kind=all}}Toute l’actualité{{/group_kind}}{{#group_kind=section}}{{group_name}}{{/group_kind}}{{#group_kind=tag}}#{{group_name}}{{/group_kind}} ==
{{/group}}
* {{title}}
{{#lead}}  {{lead}}
{{/lead}}  Lire : {{link}}
{{/items}}{{#more}}
Il y en a d’autres : tout est sur {{base_url}}
{{/more}}
— L’équipe {{site_name}}

Vous recevez cet e-mail parce que vous vous y êtes abonné sur {{site_name}}.
Vous désabonner en un clic : {{unsubscribe_link}}
)",
       R"(<p>{{#count=1}}Voici le nouvel article{{/count}}{{^count=1}}Voici les nouveaux articles{{/count}} de vos abonnements sur {{site_name}} :</p>
{{@items}}{{#group}}<h2 style="font-size: 1.1em; margin: 1.2em 0 0.4em; border-bottom: 1px solid #ddd;">{{#group_kind=all}}Toute l’actualité{{/group_kind}}{{#group_kind=section}}{{group_name}}{{/group_kind}}{{#group_kind=tag}}#{{group_name}}{{/group_kind}}</h2>
{{/group}}<p style="margin: 0 0 0.9em;"><a href="{{link}}" style="font-weight: bold;">{{title}}</a>{{#lead}}<br>{{lead}}{{/lead}}</p>
{{/items}}{{#more}}<p><a href="{{base_url}}">Il y en a d’autres : tout est sur {{base_url}}</a></p>
{{/more}}<p>— L’équipe {{site_name}}</p>
<p style="font-size: 0.85em; color: #777;">Vous recevez cet e-mail parce que vous vous y êtes abonné sur {{site_name}}. <a href="{{unsubscribe_link}}">Vous désabonner en un clic</a>.</p>
)"},
  };
  return t;
}

}  // namespace tribune::mail::internal
