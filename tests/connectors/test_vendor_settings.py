"""Each vendor's configuration from environment variables: required secrets, numbers, optional ids, defaults, and
the errors that name the variable to set. Written against the public package roots, so it pins the behaviour of
``<Vendor>Config.from_env`` whatever builds it."""

from __future__ import annotations

import pytest

from connectors.core.errors import ConfigurationError
from connectors.google_ads import GoogleAdsConfig
from connectors.hubspot import HubSpotConfig
from connectors.mailchimp import MailchimpConfig
from connectors.meta import MetaConfig
from connectors.registry import SOURCES

SECRET = "pat-na1-abcdef-123456"


def test_hubspot_settings() -> None:
    config = HubSpotConfig.from_env(
        {
            "HUBSPOT_ACCESS_TOKEN": f"  {SECRET} ",
            "HUBSPOT_BASE_URL": " http://127.0.0.1:9 ",
            "HUBSPOT_REQUESTS_PER_10S": "150",
            "HUBSPOT_SEARCH_PER_SECOND": "3",
            "HUBSPOT_TIMEOUT_S": "21",
            "HUBSPOT_LOOKBACK_MINUTES": "",  # empty: the default
        }
    )
    assert config == HubSpotConfig(
        access_token=SECRET, base_url="http://127.0.0.1:9", requests_per_10s=150, search_per_second=3, timeout_s=21.0
    )
    assert isinstance(config.timeout_s, float) and isinstance(config.requests_per_10s, int)
    assert HubSpotConfig.from_env({"HUBSPOT_ACCESS_TOKEN": SECRET}).base_url == "https://api.hubapi.com"
    # overrides win over the environment, and do not excuse a missing token
    assert HubSpotConfig.from_env({"HUBSPOT_ACCESS_TOKEN": SECRET}, max_attempts=2).max_attempts == 2
    with pytest.raises(ConfigurationError, match=r"HUBSPOT_ACCESS_TOKEN is not set.*private app") as err:
        HubSpotConfig.from_env({"HUBSPOT_BASE_URL": "http://127.0.0.1:9"}, access_token=SECRET)
    assert err.value.source == "hubspot"


def test_a_number_that_does_not_parse_names_its_variable() -> None:
    with pytest.raises(ConfigurationError, match=r"HUBSPOT_REQUESTS_PER_10S='a lot' is not a number") as err:
        HubSpotConfig.from_env({"HUBSPOT_ACCESS_TOKEN": SECRET, "HUBSPOT_REQUESTS_PER_10S": "a lot"})
    assert err.value.source == "hubspot" and SECRET not in str(err.value)
    with pytest.raises(ConfigurationError, match=r"META_PAGE_SIZE='1\.5' is not a number"):
        MetaConfig.from_env({"META_ACCESS_TOKEN": SECRET, "META_PAGE_SIZE": "1.5"})


def test_mailchimp_settings_and_its_data_center() -> None:
    config = MailchimpConfig.from_env({"MAILCHIMP_API_KEY": "0123456789abcdef-us6", "MAILCHIMP_PAGE_SIZE": "77"})
    assert config.base_url == "https://us6.api.mailchimp.com/3.0" and config.page_size == 77
    assert config.api_key == "0123456789abcdef-us6"
    explicit = MailchimpConfig.from_env({"MAILCHIMP_API_KEY": "nodc", "MAILCHIMP_BASE_URL": "http://127.0.0.1:9/3.0"})
    assert explicit.base_url == "http://127.0.0.1:9/3.0"
    with pytest.raises(ConfigurationError, match=r"no data-center suffix.*MAILCHIMP_BASE_URL") as err:
        MailchimpConfig.from_env({"MAILCHIMP_API_KEY": "nodc"})
    assert err.value.source == "mailchimp" and "nodc" not in str(err.value)
    with pytest.raises(ConfigurationError, match="MAILCHIMP_API_KEY is not set"):
        MailchimpConfig.from_env({})


def test_meta_settings() -> None:
    config = MetaConfig.from_env(
        {
            "META_ACCESS_TOKEN": SECRET,
            "META_AD_ACCOUNT_ID": " 123 ",
            "META_PAGE_ID": "  ",  # blank: unset
            "META_API_VERSION": "v24.0",
            "META_RESTATEMENT_DAYS": "20",
            "META_COMMENTS_REREAD_DAYS": "9",
        }
    )
    assert (config.ad_account_id, config.page_id, config.ig_user_id) == ("123", None, None)
    assert (config.api_version, config.restatement_days, config.comments_reread_days) == ("v24.0", 20, 9)
    assert config.account_node == "act_123"
    assert MetaConfig.from_env({"META_ACCESS_TOKEN": SECRET}).api_version == "v25.0"
    with pytest.raises(ConfigurationError, match="META_ACCESS_TOKEN is not set") as err:
        MetaConfig.from_env({})
    assert err.value.source == "meta"


def test_google_ads_settings() -> None:
    env = {
        "GOOGLE_ADS_ACCESS_TOKEN": "ya29.token-value",
        "GOOGLE_ADS_DEVELOPER_TOKEN": "dev-token-value",
        "GOOGLE_ADS_CUSTOMER_ID": "123-456-7890",
        "GOOGLE_ADS_LOGIN_CUSTOMER_ID": "111-222-3333",
        "GOOGLE_ADS_RESTATEMENT_DAYS": "10",
    }
    config = GoogleAdsConfig.from_env(env)
    assert (config.customer_id, config.login_customer_id) == ("1234567890", "1112223333")
    assert (config.restatement_days, config.api_version, config.click_view_days) == (10, "v24", 90)
    assert GoogleAdsConfig.from_env({**env, "GOOGLE_ADS_LOGIN_CUSTOMER_ID": ""}).login_customer_id is None
    for missing in ("GOOGLE_ADS_ACCESS_TOKEN", "GOOGLE_ADS_DEVELOPER_TOKEN", "GOOGLE_ADS_CUSTOMER_ID"):
        with pytest.raises(ConfigurationError, match=f"{missing} is not set") as err:
            GoogleAdsConfig.from_env({k: v for k, v in env.items() if k != missing})
        assert err.value.source == "google_ads"


@pytest.mark.parametrize(
    ("config", "secrets"),
    [
        (HubSpotConfig(access_token=SECRET), [SECRET]),
        (MailchimpConfig(api_key=f"{SECRET}-us6", base_url="http://127.0.0.1:9/3.0"), [SECRET]),
        (MetaConfig(access_token=SECRET, ad_account_id="act_1"), [SECRET]),
        (
            GoogleAdsConfig(access_token=SECRET, developer_token="dev-secret-99", customer_id="1"),
            [SECRET, "dev-secret-99"],
        ),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, list) else "",
)
def test_a_config_never_shows_its_secrets(config: object, secrets: list[str]) -> None:
    text = f"{config!r} {config!s}"
    assert not [s for s in secrets if s in text], text
    assert "***" in text


def test_the_registry_hides_the_secret_variables_of_every_source() -> None:
    assert SOURCES["hubspot"].secrets == ("HUBSPOT_ACCESS_TOKEN",)
    assert SOURCES["mailchimp"].secrets == ("MAILCHIMP_API_KEY",)
    assert SOURCES["meta_ads"].secrets == SOURCES["social"].secrets == ("META_ACCESS_TOKEN",)
    assert SOURCES["google_ads"].secrets == ("GOOGLE_ADS_ACCESS_TOKEN", "GOOGLE_ADS_DEVELOPER_TOKEN")


def test_run_metadata_never_shows_a_secret_setting_even_when_no_secret_values_are_passed() -> None:
    from connectors.registry import connector_from_env, effective_settings

    env = {
        "GOOGLE_ADS_ACCESS_TOKEN": "ya29.token-value",
        "GOOGLE_ADS_DEVELOPER_TOKEN": "dev-token-value",
        "GOOGLE_ADS_CUSTOMER_ID": "1234567890",
    }
    with connector_from_env("google_ads", env) as connector:
        shown = effective_settings(connector)
    assert shown["customer_id"] == "1234567890" and shown["api_version"] == "v24"
    assert not {"access_token", "developer_token"} & set(shown)
    assert not [v for v in shown.values() if v in env.values() and v != "1234567890"]
