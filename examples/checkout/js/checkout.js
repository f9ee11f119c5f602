/* A small storefront checkout written before payment sessions. */
var digitalriverjs = new DigitalRiver('pk_test_1234567890', {locale: 'en-US'});

function submitCard(cardNumber, cart, owner) {
    var sourceData = {
        type: 'creditCard',
        owner: owner
    };
    return digitalriverjs.createSource(cardNumber, sourceData);
}

function submitPayPal(cart) {
    if (cart.items.length) {
        var payload = {
            "type": "payPal",
            "amount": cart.total,
            "currency": cart.currency,
            "payPal": {
                "returnUrl": location.origin + "/checkout/review",
                "cancelUrl": location.origin + "/cart",
                "items": cart.items.map(function (item) {
                    return {name: item.name, quantity: item.qty, unitAmount: item.price};
                }),
                "taxAmount": cart.tax
            }
        };
    }
    if (cart.requiresShipping) {
        payload.payPal.requestShipping = true;
    }
    return digitalriverjs.createSource(payload).then(function (result) {
        if (result.error) {
            showError(result.error);
        } else {
            window.location.href = result.source.redirect.redirectUrl;
        }
    });
}
