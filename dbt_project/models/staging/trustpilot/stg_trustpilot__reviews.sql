-- One row per Trustpilot private review, in its latest version: stars, title, language, the consumer, the email
-- the business invited them with (referralEmail, normalised for the identity graph) and the order reference.
-- Typed and renamed only; the review text stays in the raw layer (free text that may hold personal data).
{{ config(unique_key='review_id') }}
with

source as (

    select raw_records.* from {{ source('trustpilot', 'reviews') }} as raw_records
    {{ unstaged_records('review_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as review_id,
        {{ json_text('payload', ['consumer', 'id']) }} as consumer_id,
        {{ json_text('payload', ['businessUnit', 'id']) }} as business_unit_id,
        -- the order the review is about (e-commerce purchases; null for sales deals)
        nullif(trim({{ json_text('payload', 'referenceId') }}), '') as reference_id,

        ----------  strings
        {{ normalize_email(json_text('payload', 'referralEmail')) }} as referral_email_normalized,
        {{ json_text('payload', ['consumer', 'displayName']) }} as consumer_display_name,
        {{ json_text('payload', 'title') }} as review_title,
        {{ json_text('payload', 'language') }} as review_language,
        {{ json_text('payload', 'source') }} as review_source,
        {{ json_text('payload', 'status') }} as review_status,

        ----------  numerics
        cast({{ json_text('payload', 'stars') }} as integer) as stars,

        ----------  booleans
        coalesce(cast({{ json_text('payload', 'isVerified') }} as boolean), false) as is_verified,
        {{ json_text('payload', ['companyReply', 'text']) }} is not null as has_company_reply,
        is_archived,

        ----------  timestamps
        {{ iso_to_timestamp(json_text('payload', 'createdAt')) }} as created_at,
        {{ iso_to_timestamp(json_text('payload', 'updatedAt')) }} as updated_at,
        {{ iso_to_timestamp(json_text('payload', ['companyReply', 'createdAt'])) }} as replied_at,
        _extracted_at

    from source

)

select * from renamed
