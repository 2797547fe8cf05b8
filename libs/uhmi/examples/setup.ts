import { createUhmiDriver, type UhmiDriver } from '@tijara/uhmi';

export function createDriver(env: NodeJS.ProcessEnv = process.env): UhmiDriver {
  return createUhmiDriver({
    apiKey: env.UHMI_API_KEY ?? '', // the sell account's API key; sent as Authorization: Bearer …
    // Leave unset for https://uhmi.io/api/v1/; set it for the sandbox (http://127.0.0.1:…/uhmi/api/v1/).
    ...(env.UHMI_BASE_URL ? { baseUrl: env.UHMI_BASE_URL } : {}),
    payments: { type: 'content', refundable: false },
    widget: {
      ...(env.UHMI_WIDGET_SCRIPT ? { scriptUrl: env.UHMI_WIDGET_SCRIPT } : {}),
      // A page that hosts the widget for one payment, if you have one (the sandbox does).
      ...(env.UHMI_WIDGET_PAGE ? { pageUrl: env.UHMI_WIDGET_PAGE } : {}),
    },
  });
}
