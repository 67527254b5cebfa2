import type { CloudApiTemplateDefinition } from './templates.js';

/** Template definitions in the Cloud API's list shape (the simulator's shipped set, plus edge cases). */
export const TEMPLATES: CloudApiTemplateDefinition[] = [
  {
    id: '1',
    name: 'order_update',
    language: 'en_US',
    status: 'APPROVED',
    category: 'UTILITY',
    parameter_format: 'POSITIONAL',
    components: [
      {
        type: 'BODY',
        text: 'Hi {{1}}, your order {{2}} has shipped.',
        example: { body_text: [['Jessica', 'A-1001']] },
      },
      { type: 'FOOTER', text: 'Reply STOP to unsubscribe' },
    ],
  },
  {
    id: '2',
    name: 'order_update',
    language: 'es_ES',
    status: 'APPROVED',
    category: 'UTILITY',
    parameter_format: 'POSITIONAL',
    components: [{ type: 'BODY', text: 'Hola {{1}}, tu pedido {{2}} ha sido enviado.' }],
  },
  {
    id: '3',
    name: 'order_confirmation',
    language: 'en_US',
    status: 'APPROVED',
    category: 'UTILITY',
    parameter_format: 'NAMED',
    components: [
      {
        type: 'BODY',
        text: 'Thank you, {{customer_name}}! Your order {{order_number}} is confirmed and will arrive on {{delivery_date}}.',
        example: {
          body_text_named_params: [
            { param_name: 'customer_name', example: 'Jessica' },
            { param_name: 'order_number', example: 'SKBUP2-4CPIG9' },
            { param_name: 'delivery_date', example: 'February 25' },
          ],
        },
      },
    ],
  },
  {
    id: '4',
    name: 'seasonal_promo',
    language: 'en_US',
    status: 'APPROVED',
    category: 'MARKETING',
    parameter_format: 'POSITIONAL',
    components: [
      {
        type: 'HEADER',
        format: 'TEXT',
        text: 'Our {{1}} sale is on!',
        example: { header_text: ['Summer'] },
      },
      {
        type: 'BODY',
        text: 'Hi {{1}}, use promo code {{2}} to get {{3}} off every order this week.',
        example: { body_text: [['Mark', 'FALL25', '25%']] },
      },
      { type: 'FOOTER', text: 'Not interested? Tap Stop promotions' },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Stop promotions' }] },
    ],
  },
  {
    id: '5',
    name: 'shipping_tracking',
    language: 'en_US',
    status: 'APPROVED',
    category: 'UTILITY',
    parameter_format: 'POSITIONAL',
    components: [
      { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW1hZ2UvanBlZw==:ARZ'] } },
      {
        type: 'BODY',
        text: 'Hi {{1}}, your parcel is on its way. Tap below to follow it.',
        example: { body_text: [['Mark']] },
      },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'PHONE_NUMBER', text: 'Call us' },
          {
            type: 'URL',
            text: 'Track parcel',
            url: 'https://shop.example.com/track/{{1}}',
            example: ['ZX81-4411'],
          },
        ],
      },
    ],
  },
  {
    id: '6',
    name: 'flash_sale',
    language: 'en_US',
    status: 'PAUSED',
    category: 'MARKETING',
    parameter_format: 'POSITIONAL',
    components: [{ type: 'BODY', text: 'Flash sale! {{1}} off for the next hour only.' }],
  },
  {
    id: '7',
    name: 'loan_offer',
    language: 'en_US',
    status: 'REJECTED',
    category: 'MARKETING',
    parameter_format: 'POSITIONAL',
    components: [{ type: 'BODY', text: 'You are pre-approved for a loan of {{1}}!' }],
  },
  {
    id: '8',
    name: 'store_location',
    language: 'en_US',
    status: 'APPROVED',
    category: 'UTILITY',
    components: [
      { type: 'HEADER', format: 'LOCATION' },
      { type: 'BODY', text: 'Visit us today.' },
    ],
  },
  {
    id: '9',
    name: 'coupon',
    language: 'en_US',
    status: 'APPROVED',
    category: 'MARKETING',
    parameter_format: 'NAMED',
    components: [
      {
        type: 'HEADER',
        format: 'TEXT',
        text: 'Hello {{first_name}}',
        example: { header_text_named_params: [{ param_name: 'first_name', example: 'Ada' }] },
      },
      { type: 'BODY', text: 'Your code: see below.' },
      { type: 'BUTTONS', buttons: [{ type: 'COPY_CODE', example: 'SAVE20' }] },
    ],
  },
];
