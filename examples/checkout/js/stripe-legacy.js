// An older Stripe integration in the same storefront: drmigrate must leave it alone.
var stripe = Stripe('pk_test_stripe');
stripe.createSource(card, {type: 'card', owner: {name: customerName}}).then(handleStripe);
