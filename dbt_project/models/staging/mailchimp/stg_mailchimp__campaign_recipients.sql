{{ config(unique_key='campaign_recipient_id') }}
with

source as (

    select raw_records.* from {{ source('mailchimp', 'campaign_recipients') }} as raw_records
    {{ unstaged_records('campaign_recipient_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as campaign_recipient_id,
        {{ json_text('payload', 'campaign_id') }} as campaign_id,
        {{ json_text('payload', 'list_id') }} as list_id,
        -- the list member id (md5 of the lower-case address)
        {{ json_text('payload', 'email_id') }} as member_id,

        ----------  strings
        {{ json_text('payload', 'email_address') }} as email_address,
        {{ normalize_email(json_text('payload', 'email_address')) }} as email_normalized,
        -- sent, or the bounce that stopped delivery: hard, soft
        {{ json_text('payload', 'status') }} as delivery_status,
        nullif({{ json_text('payload', 'absplit_group') }}, '') as absplit_group,

        ----------  numerics
        cast({{ json_text('payload', 'open_count') }} as {{ dbt.type_int() }}) as open_count,

        ----------  booleans
        is_archived,

        ----------  timestamps
        {{ iso_to_timestamp(json_text('payload', 'last_open')) }} as last_opened_at,
        _extracted_at

    from source

)

select * from renamed
