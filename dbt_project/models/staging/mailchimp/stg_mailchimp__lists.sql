{{ config(unique_key='list_id') }}
with

source as (

    select raw_records.* from {{ source('mailchimp', 'lists') }} as raw_records
    {{ unstaged_records('list_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as list_id,
        {{ json_text('payload', 'web_id') }} as list_web_id,

        ----------  strings
        {{ json_text('payload', 'name') }} as list_name,
        nullif({{ json_text('payload', ['contact', 'company']) }}, '') as company_name,
        nullif({{ json_text('payload', ['campaign_defaults', 'from_email']) }}, '') as default_from_email,
        {{ json_text('payload', 'visibility') }} as visibility,

        ----------  numerics
        cast({{ json_text('payload', ['stats', 'member_count']) }} as {{ dbt.type_bigint() }}) as member_count,
        cast({{ json_text('payload', ['stats', 'unsubscribe_count']) }} as {{ dbt.type_bigint() }})
            as unsubscribe_count,
        cast({{ json_text('payload', ['stats', 'cleaned_count']) }} as {{ dbt.type_bigint() }}) as cleaned_count,
        cast({{ json_text('payload', ['stats', 'campaign_count']) }} as {{ dbt.type_bigint() }}) as campaign_count,

        ----------  booleans
        cast({{ json_text('payload', 'double_optin') }} as boolean) as is_double_optin,
        is_archived,

        ----------  timestamps
        {{ iso_to_timestamp(json_text('payload', 'date_created')) }} as created_at,
        {{ iso_to_timestamp(json_text('payload', ['stats', 'campaign_last_sent'])) }} as campaign_last_sent_at,
        _extracted_at

    from source

)

select * from renamed
