-- One row per entry of a contact's lifecyclestage history, i.e. per time the property was set. Consecutive entries
-- may repeat a value; int_hubspot__lifecycle_stage_changes keeps real changes only.
{{ hubspot_property_history('contacts', 'contact_id', 'lifecyclestage', 'lifecycle_stage') }}
