-- One row per association stored in a CRM record's payload (`associations.<toType>[]`), for every CRM stream and
-- associated type the connector requests (connectors/hubspot/catalog.py). Both directions are kept as HubSpot
-- returns them: a deal's contacts come from the deal, a contact's companies from the contact.
{%- set associated_types = {
    'contacts': ['companies'],
    'deals': ['contacts', 'companies'],
    'emails': ['contacts', 'deals', 'companies'],
    'calls': ['contacts', 'deals', 'companies'],
    'meetings': ['contacts', 'deals', 'companies'],
    'notes': ['contacts', 'deals', 'companies'],
    'tasks': ['contacts', 'deals', 'companies'],
    'feedback_submissions': ['contacts'],
} %}
{%- set object_type = {
    'contacts': 'contact', 'companies': 'company', 'deals': 'deal', 'emails': 'email', 'calls': 'call',
    'meetings': 'meeting', 'notes': 'note', 'tasks': 'task', 'feedback_submissions': 'feedback_submission',
} %}

{{
    config(
        unique_key=['from_object_type', 'from_object_id'],
        post_hook=["{{ delete_placeholder_rows('association_id') }}"],
    )
}}

with

{% for from_stream, to_streams in associated_types.items() %}
source_{{ from_stream }} as (

    select raw_records.* from {{ source('hubspot', from_stream) }} as raw_records
    {{ unstaged_records(
        'from_object_id', stored_filter="staged.from_object_type = '" ~ object_type[from_stream] ~ "'"
    ) }}

),

{% for to_stream in to_streams %}
{{ from_stream }}_to_{{ to_stream }} as (

    {{ json_array_items(
        'source_' ~ from_stream, 'payload', ['associations', to_stream], ['record_id', 'is_archived', '_extracted_at']
    ) }}

),

{% endfor %}
{%- endfor %}
unioned as (

    {% for from_stream, to_streams in associated_types.items() %}
    {%- for to_stream in to_streams %}
    select
        '{{ object_type[from_stream] }}' as from_object_type,
        record_id as from_object_id,
        '{{ object_type[to_stream] }}' as to_object_type,
        item,
        is_archived,
        _extracted_at
    from {{ from_stream }}_to_{{ to_stream }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

renamed as (

    select

        ----------  ids
        {{ surrogate_key(['from_object_type', 'from_object_id', 'to_object_type', json_text('item', 'toObjectId')]) }}
            as association_id,
        from_object_id,
        -- HubSpot sends toObjectId as a string, some API versions as a number: text either way
        {{ json_text('item', 'toObjectId') }} as to_object_id,

        ----------  strings
        from_object_type,
        to_object_type,
        -- the first association type listed (HUBSPOT_DEFINED / USER_DEFINED, numeric type id, label)
        {{ json_text('item', ['associationTypes', 0, 'category']) }} as association_category,
        {{ json_text('item', ['associationTypes', 0, 'typeId']) }} as association_type_id,
        {{ json_text('item', ['associationTypes', 0, 'label']) }} as association_label,

        ----------  booleans
        -- the FROM record is archived (the association survives in its last payload)
        is_archived as is_from_archived,

        ----------  load metadata
        _extracted_at

    from unioned

)

{% call select_staged_children('renamed', ['from_object_type', 'from_object_id']) -%}
{%- for from_stream in associated_types %}
select
    '{{ object_type[from_stream] }}' as from_object_type,
    record_id as from_object_id
from source_{{ from_stream }}
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{%- endcall %}
