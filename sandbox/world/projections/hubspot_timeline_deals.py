"""Deals in a person's HubSpot timeline: created in the sales or the e-commerce pipeline, then stage changes,
amount changes and the close (won, lost, purchased, abandoned); a sale records its purchase channel."""

from __future__ import annotations

from sandbox.world.person import Event
from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.projections.hubspot_records import RecordTimeline
from sandbox.world.projections.hubspot_timeline_contacts import ContactTimeline
from sandbox.world.sales_channels import deal_purchase_channels
from sandbox.world.timeutil import iso_ms

# e-commerce deals are written by the shop's integration, sales deals by their owner in the CRM
_ECOMMERCE_SOURCE = ("INTEGRATION", "ecommerce-bridge")
_SALES_SOURCE = ("CRM_UI", "")


def _money(a: float) -> str:
    return str(int(a)) if a == int(a) else f"{a:.2f}"


class DealTimeline(ContactTimeline):
    """Deal records, associated with the contact and the company."""

    def on_deal_created(self, ev: Event) -> None:
        ts, _, a = ev
        k = a["deal"]
        ecommerce = a["pipeline"] == "ecommerce"
        rec = RecordTimeline(
            "deals",
            hs.record_id("deals", self.idx, k),
            ts,
            {
                "dealname": a["name"],
                "deal_currency_code": "USD",
                "pipeline": a["pipeline"],
                "dealtype": a["dealtype"],
                "hubspot_owner_id": None if ecommerce else self.owner_id,
            },
        )
        src = _ECOMMERCE_SOURCE if ecommerce else _SALES_SOURCE
        self.set_prop(rec, ts, "dealstage", a["stage"], *src)
        self.set_prop(rec, ts, "amount", _money(a["amount"]), *src)
        key = a["contact"]
        if key in self.contacts:
            rec.links.append(("contacts", self.contacts[key].id))
        if self.cid is not None:
            rec.links.append(("companies", self.cid))
        self.deals[k] = rec
        self.deal_contact[k] = key
        self.records.append(rec)
        if not ecommerce:
            self.lead_status(key, ts, "OPEN_DEAL")

    def on_deal_change(self, ev: Event) -> None:
        """``deal_stage_changed``, ``deal_won``, ``deal_lost`` and ``purchase``: the stage, a changed amount (not
        on the close itself), and the close date when the deal closes."""
        ts, t, a = ev
        rec = self.deals[a["deal"]]
        ecommerce = rec.static["pipeline"] == "ecommerce"
        src = _ECOMMERCE_SOURCE if ecommerce else _SALES_SOURCE
        self.set_prop(rec, ts, "dealstage", a["stage"], *src)
        if a.get("amount") is not None and t != "deal_won" and t != "purchase":
            self.set_prop(rec, ts, "amount", _money(a["amount"]), *src)
        if t != "deal_stage_changed":
            self.set_prop(rec, ts, "closedate", iso_ms(ts), *src)
        if t in ("deal_won", "purchase"):
            # how the sale was made: the shop's integration or the rep records it with the close
            self.set_prop(rec, ts, "purchase_channel", self.purchase_channel(a["deal"]), *src)

    def purchase_channel(self, deal: int) -> str:
        if self.purchase_channels is None:
            self.purchase_channels = deal_purchase_channels(self.seed, self.person)
        return self.purchase_channels[deal]
