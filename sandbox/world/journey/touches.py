"""Channel touches: ad clicks (Meta, Google), form submissions with their typed values and page URLs, and email
sign-ups to the Mailchimp audience."""

from __future__ import annotations

from typing import Any

from sandbox.world import catalog
from sandbox.world.companies import company_info
from sandbox.world.identifiers import messy_email, messy_phone, token
from sandbox.world.journey.core import JourneyCore


class ChannelTouches(JourneyCore):
    def ad_click(self, ts: int, platform: str) -> dict[str, Any]:
        rng = self.rng
        camps = catalog.META_CAMPAIGNS if platform == "meta" else catalog.GOOGLE_CAMPAIGNS
        camp = camps[rng.randrange(len(camps))]
        ad_id, ad_name = camp.ads[rng.randrange(len(camp.ads))]
        if platform == "meta":
            click_id = "IwAR" + token(rng, 42)
            utm = {"utm_source": "facebook", "utm_medium": "paid_social", "utm_campaign": camp.name}
            utm["utm_content"] = ad_name
            click_param = "fbclid"
        else:
            click_id = "EAIaIQobChMI" + token(rng, 45)
            kw = camp.keywords[rng.randrange(len(camp.keywords))]
            utm = {"utm_source": "google", "utm_medium": "cpc", "utm_campaign": camp.name, "utm_content": ad_name}
            utm["utm_term"] = kw
            click_param = "gclid"
        attrs = {
            "platform": platform,
            "campaign_id": camp.campaign_id,
            "campaign": camp.name,
            "ad_id": ad_id,
            "ad": ad_name,
            "click_id": click_id,
            "click_param": click_param,
            "utm": utm,
        }
        self.add(ts, "ad_click", **attrs)
        return attrs

    def form(
        self,
        ts: int,
        form_key: str,
        key: int | None = 0,
        *,
        utm: dict[str, str] | None = None,
        click: dict[str, Any] | None = None,
        referrer: str | None = None,
        email: str | None = None,
        extra: dict[str, str] | None = None,
    ) -> int:
        p = self.p
        fd = catalog.FORMS_BY_KEY[form_key]
        params = dict(utm or {})
        if click is not None:
            params[click["click_param"]] = click["click_id"]
        url = catalog.SITE + fd.path
        if params:
            url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
        if key is not None:
            self.contact(key)
            typed = messy_email(self.rng, self.email_for(key))
        else:
            typed = email or ""
        values: dict[str, str] = {}
        for f in fd.fields:
            if f == "email":
                values["email"] = typed
            elif f == "firstname":
                values["firstname"] = p.first_name
            elif f == "lastname":
                values["lastname"] = p.last_name
            elif f == "phone":
                values["phone"] = messy_phone(self.rng, p.phone_e164)
            elif f == "company" and p.company is not None:
                values["company"] = company_info(self.cfg.seed, p.company, self.cfg.owners).name
            elif f == "jobtitle":
                values["jobtitle"] = p.job_title
            elif f == "message":
                values["message"] = self.rng.choice(
                    ("Please call me back.", "Do you have a pricing sheet?", "Interested in a trial.")
                )
            elif f == "referrer_email" and referrer:
                values["referrer_email"] = referrer
        if fd.key == "newsletter" and (key == 1 or self.rng.random() < 0.3):
            values["phone"] = messy_phone(self.rng, p.phone_e164)  # optional "SMS updates" field
        if extra:
            values.update(extra)
        self.add(
            ts,
            "form_submission",
            form=form_key,
            contact=key,
            page_url=url,
            utm=params,
            values=values,
            referrer=referrer or ("https://www.google.com/" if not params else None),
        )
        return ts

    def subscribe(self, ts: int, key: int, promo: bool = True, newsletter: bool = True) -> None:
        """The address joins the Mailchimp audience (synced from the form) in the chosen interest groups."""
        email = self.email_for(key)
        for kind, wanted in ((0, newsletter), (1, promo)):
            if wanted:
                self.subscriptions.append((email, ts, kind))
                sub_ts = ts - ts % 1000 + 1000  # Mailchimp keeps seconds; the sync lands just after the form
                name = "newsletter" if kind == 0 else "promo"
                self.add(sub_ts, "email_subscribe", email=email, list=name)
