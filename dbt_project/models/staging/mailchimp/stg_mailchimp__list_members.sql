{{ config(unique_key='list_member_id') }}
with

source as (

    select raw_records.* from {{ source('mailchimp', 'list_members') }} as raw_records
    {{ unstaged_records('list_member_id') }}

),

extracted as (

    select
        record_id,
        {{ json_text('payload', 'id') }} as member_id,
        {{ json_text('payload', 'list_id') }} as list_id,
        {{ json_text('payload', 'unique_email_id') }} as unique_email_id,
        {{ json_text('payload', 'email_address') }} as email_address,
        nullif({{ json_text('payload', 'full_name') }}, '') as full_name,
        nullif({{ json_text('payload', ['merge_fields', 'FNAME']) }}, '') as first_name,
        nullif({{ json_text('payload', ['merge_fields', 'LNAME']) }}, '') as last_name,
        nullif({{ json_text('payload', ['merge_fields', 'PHONE']) }}, '') as phone,
        {{ json_text('payload', 'status') }} as member_status,
        nullif({{ json_text('payload', 'unsubscribe_reason') }}, '') as unsubscribe_reason,
        nullif({{ json_text('payload', 'source') }}, '') as signup_source,
        nullif({{ json_text('payload', 'language') }}, '') as language,
        nullif({{ json_text('payload', 'email_client') }}, '') as email_client,
        {{ json_text('payload', 'member_rating') }} as member_rating,
        {{ json_text('payload', ['stats', 'avg_open_rate']) }} as avg_open_rate,
        {{ json_text('payload', ['stats', 'avg_click_rate']) }} as avg_click_rate,
        {{ json_text('payload', 'vip') }} as vip,
        {{ json_text('payload', 'timestamp_signup') }} as timestamp_signup,
        {{ json_text('payload', 'timestamp_opt') }} as timestamp_opt,
        {{ json_text('payload', 'last_changed') }} as last_changed,
        is_archived,
        _extracted_at
    from source

),

renamed as (

    select

        ----------  ids
        record_id as list_member_id,
        member_id,
        list_id,
        unique_email_id,

        ----------  strings
        email_address,
        {{ normalize_email('email_address') }} as email_normalized,
        full_name,
        first_name,
        last_name,
        -- as typed (messy local formats); normalised by identity resolution later
        phone,
        member_status,
        unsubscribe_reason,
        signup_source,
        language,
        email_client,

        ----------  numerics
        cast(member_rating as {{ dbt.type_int() }}) as member_rating,
        cast(avg_open_rate as {{ dbt.type_numeric() }}) as avg_open_rate,
        cast(avg_click_rate as {{ dbt.type_numeric() }}) as avg_click_rate,

        ----------  booleans
        cast(vip as boolean) as is_vip,
        is_archived,

        ----------  timestamps
        {{ iso_to_timestamp('timestamp_signup') }} as signed_up_at,
        {{ iso_to_timestamp('timestamp_opt') }} as opted_in_at,
        {{ iso_to_timestamp('last_changed') }} as last_changed_at,
        _extracted_at

    from extracted

)

select * from renamed
