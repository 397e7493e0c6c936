-- One row per entry of a deal's amount history, i.e. per time the amount was set.
{{ hubspot_property_history('deals', 'deal_id', 'amount', 'amount', dbt.type_numeric(), 'deal_amount_history_id') }}
